package dev.vigil.rules.correlation;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.EventView;
import dev.vigil.rules.fields.Extractor;

/**
 * The 64-bit identity of a group key or a distinct value: the fields' values hashed without decoding them into
 * objects (strings char by char, numbers and addresses as they are). Two different keys share an identity with
 * probability about n^2 / 2^65 for n keys tracked: 3e-11 for the default 16,384 keys.
 */
final class KeyHash {
    /** "A field had no value": the event has no key and is not counted. */
    static final long NO_KEY = 0x8000_0000_0000_0001L;
    private static final long SEED = 0x9E37_79B9_7F4A_7C15L;

    private KeyHash() {}

    static long of(Extractor[] xs, EventView e) {
        long h = SEED;
        for (Extractor x : xs) {
            h = field(x, e, h);
            if (h == NO_KEY) return NO_KEY;
        }
        return h == NO_KEY ? NO_KEY + 1 : h;
    }

    private static long step(long h, long v) { return LruTable.mix(h ^ v) + 0x632B_E59B_D9B4_E019L; }

    private static long field(Extractor x, EventView e, long h) {
        switch (x.type().kind()) {
            case STRING -> {
                CharSequence s = x.str(e);
                if (s == null) return NO_KEY;
                int n = s.length();
                long acc = n;
                for (int i = 0; i < n; i++) acc = (acc ^ s.charAt(i)) * 0x100000001b3L;
                return step(step(h, acc), n);
            }
            case NUMBER, BOOL -> {
                long v = x.num(e);
                return v == EventView.ABSENT ? NO_KEY : step(h, v);
            }
            case IP, NET -> {
                if (!x.hasIp(e)) return NO_KEY;
                return step(step(h, x.ipHi(e)), x.ipLo(e));
            }
            case BYTES -> {
                ByteSequence b = x.bytes(e);
                if (b == null) return NO_KEY;
                long acc = b.length();
                for (int i = 0; i < b.length(); i++) acc = (acc ^ (b.byteAt(i) & 0xff)) * 0x100000001b3L;
                return step(h, acc);
            }
        }
        return NO_KEY;
    }
}
