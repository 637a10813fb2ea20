package dev.vigil.sensor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The capture file format, version 3. Versions 1 (no container records) and 2 (fixed-width event fields) are
 * still read.
 *
 * <pre>
 * file    := magic "VIGILCAP" (8 bytes) | version u16 BE | metaLen u32 BE | meta | crc32c(version..meta) u32 BE
 *            | gzip( record* end )
 * meta    := startWallNanos i64 | host str | kernel str | selection str
 * record  := tag u8 | bodyLen varint | body | crc32c(tag, body) u32
 * tags    := 'P' process snapshot (the starting table, then each process again whenever it changed before an
 *            event that refers to it; ancestors before descendants) | 'E' event | 'D' drops | 'Z' end (counts)
 *            | 'C' container (its metadata as the runtime gave it, keyed by cgroup id: written before the first
 *            event of that cgroup and again whenever the metadata changed, e.g. when it arrived after the id)
 * str     := varint (byteLength + 1, 0 for null) | UTF-8 bytes
 * </pre>
 * A process record may go on past its namespace ids with envCount varint | env str* | vpgid i64 | exe flags u8
 * (PX_*) | exe ctime i64 | exe mtime i64: written since the sensor captures them; a record that ends before them
 * has none.
 * event (v3) := type varint | zz(num - previous num) | zz(ts - previous ts) | zz(ts - mono - previous such offset)
 *            | zz(res) | pid varint | tid varint | cgroupId varint | nparams varint | (flags u8 | zz(long)? | str?)*
 *            | fd?   (zz: the zigzag varint of a signed number; "previous" starts at 0 and is the file's last
 *            event record: readers decode events in order). Version 2 has i64/i32 for these fields.
 * An event record may go on past its fd with a poll's fd array (fdlist.*): count varint | (zz(fd number) |
 * fd?)*, written only for events that have one; a record that ends at its fd has none.
 * Numbers in records are little-endian i64/i32 or unsigned LEB128 varints. The compressed body is sync-flushed
 * at least once a second, so a capture cut short (a killed writer, a full disk) still yields every event
 * before the cut.
 */
final class CaptureFormat {
    private CaptureFormat() {}

    static final byte[] MAGIC = "VIGILCAP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    static final int OLDEST_READABLE = 1;
    static final int MAX_META = 1 << 16;
    static final int MAX_RECORD = 1 << 24;

    static final byte TAG_PROCESS = 'P';
    static final byte TAG_EVENT = 'E';
    static final byte TAG_DROPS = 'D';
    static final byte TAG_END = 'Z';
    static final byte TAG_CONTAINER = 'C';

    static final int PF_EXITED = 1, PF_MEMFD = 2;
    /** A process record's trailing executable flags: on an overlayfs upper layer, lower layer, writable. */
    static final int PX_UPPER = 1, PX_LOWER = 2, PX_WRITABLE = 4;

    /** A growable little-endian output buffer, reused across records. */
    static final class Out {
        byte[] b = new byte[512];
        int n;

        void reset() { n = 0; }

        private void ensure(int more) {
            if (n + more > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, n + more));
        }

        void u8(int v) { ensure(1); b[n++] = (byte) v; }

        void i32(int v) {
            ensure(4);
            b[n] = (byte) v; b[n + 1] = (byte) (v >> 8); b[n + 2] = (byte) (v >> 16); b[n + 3] = (byte) (v >> 24);
            n += 4;
        }

        void i64(long v) { i32((int) v); i32((int) (v >>> 32)); }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7fL) != 0) { b[n++] = (byte) ((v & 0x7f) | 0x80); v >>>= 7; }
            b[n++] = (byte) v;
        }

        void bytes(byte[] src, int len) {
            ensure(len);
            System.arraycopy(src, 0, b, n, len);
            n += len;
        }

        /** A signed number as an LEB128 varint of its zigzag form: small magnitudes take one or two bytes. */
        void zigzag(long v) { varint((v << 1) ^ (v >> 63)); }

        void str(CharSequence s) {
            if (s == null) { varint(0); return; }
            byte[] u = s.toString().getBytes(StandardCharsets.UTF_8);
            varint(u.length + 1L);
            ensure(u.length);
            System.arraycopy(u, 0, b, n, u.length);
            n += u.length;
        }
    }

    /** Reads a record body; every read past its end is a {@link Malformed}. */
    static final class In {
        final byte[] b;
        final int end;
        int p;

        In(byte[] b, int end) { this.b = b; this.end = end; }

        private void need(int k) { if (p + k > end) throw new Malformed("record body too short"); }

        int u8() { need(1); return b[p++] & 0xff; }

        int i32() {
            need(4);
            int v = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
            p += 4;
            return v;
        }

        long i64() { long lo = i32() & 0xffffffffL; return lo | ((long) i32() << 32); }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new Malformed("varint too long");
        }

        long zigzag() {
            long z = varint();
            return (z >>> 1) ^ -(z & 1);
        }

        String str() {
            long l = varint();
            if (l == 0) return null;
            if (l - 1 > end - p) throw new Malformed("string length " + (l - 1) + " past the record's end");
            String s = new String(b, p, (int) (l - 1), StandardCharsets.UTF_8);
            p += (int) (l - 1);
            return s;
        }
    }

    static final class Malformed extends RuntimeException {
        Malformed(String m) { super(m, null, false, false); }
    }
}
