package dev.vigil.agent.alert;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * "Same rule, same output within N seconds" suppression (the output names the process, its command line and the
 * file, so identical output means the same process doing the same thing), on a caller-given clock (the events'
 * timestamps, so a replay suppresses what the live run did). Reader thread only.
 * {@link #check} returns -1 to suppress, else how many identical alerts were suppressed before this one.
 */
public final class Dedup {
    private static final int MAX_KEYS = 65536;
    private final long windowNanos;
    private final Map<String, long[]> seen = new HashMap<>(); // key -> {first emitted at, suppressed since}

    public Dedup(double seconds) {
        this.windowNanos = (long) (seconds * 1e9);
    }

    public boolean enabled() { return windowNanos > 0; }

    public long check(String rule, String output, long nowNanos) {
        String key = rule + '\0' + output;
        long[] s = seen.get(key);
        if (s != null && nowNanos - s[0] < windowNanos) {
            s[1]++;
            return -1;
        }
        long suppressed = s == null ? 0 : s[1];
        if (s == null) {
            if (seen.size() >= MAX_KEYS) sweep(nowNanos);
            seen.put(key, new long[] {nowNanos, 0});
        } else {
            s[0] = nowNanos;
            s[1] = 0;
        }
        return suppressed;
    }

    private void sweep(long now) {
        for (Iterator<long[]> it = seen.values().iterator(); it.hasNext(); ) {
            if (now - it.next()[0] >= windowNanos) it.remove();
        }
        if (seen.size() >= MAX_KEYS) seen.clear();
    }
}
