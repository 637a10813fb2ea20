package dev.vigil.containers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Just enough of the protobuf wire format for the CRI messages Vigil sends and reads: varints, length-delimited
 * fields (strings, nested messages, map entries), skipping what it does not know. Hand-written so that the
 * containers module needs no protoc step and no protobuf runtime for a handful of messages.
 */
final class Proto {
    private Proto() {}

    static final int VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

    /** The wire bytes did not parse: counted as garbage from the runtime. */
    static final class Malformed extends RuntimeException {
        Malformed(String m) { super(m); }
    }

    /** Builds one message; fields at their default value (0, "", false) are left out as proto3 does. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer string(int field, String s) {
            if (s == null || s.isEmpty()) return this;
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Writer bytes(int field, byte[] b) {
            tag(field, LEN);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Writer message(int field, Writer m) {
            return m == null ? this : bytes(field, m.toBytes());
        }

        Writer int64(int field, long v) {
            if (v == 0) return this;
            tag(field, VARINT);
            varint(v);
            return this;
        }

        Writer bool(int field, boolean b) {
            return b ? int64(field, 1) : this;
        }

        /** A {@code map<string,string>}: one entry message (key = 1, value = 2) per pair. */
        Writer map(int field, Map<String, String> m) {
            if (m != null) m.forEach((k, v) -> message(field, new Writer().string(1, k).string(2, v)));
            return this;
        }

        Writer strings(int field, Iterable<String> l) {
            if (l != null) for (String s : l) bytes(field, s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        private void tag(int field, int wire) {
            varint(((long) field << 3) | wire);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() { return out.toByteArray(); }
    }

    /** Walks one message's fields in order: {@link #next()} then the value accessor for the wire type. */
    static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;
        private int field, wire;
        private long varint;
        private int lenStart, lenEnd;

        Reader(byte[] b) { this(b, 0, b.length); }

        private Reader(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        /** Advances to the next field; false at the end of the message. */
        boolean next() {
            if (pos >= end) return false;
            long key = readVarint();
            field = (int) (key >>> 3);
            wire = (int) (key & 7);
            if (field <= 0) throw new Malformed("field number " + field);
            switch (wire) {
                case VARINT -> varint = readVarint();
                case I64 -> skip(8);
                case I32 -> skip(4);
                case LEN -> {
                    long n = readVarint();
                    if (n < 0 || n > end - pos) throw new Malformed("length " + n + " past the end");
                    lenStart = pos;
                    lenEnd = pos + (int) n;
                    pos = lenEnd;
                }
                default -> throw new Malformed("wire type " + wire);
            }
            return true;
        }

        int field() { return field; }
        int wire() { return wire; }

        long int64() {
            expect(VARINT);
            return varint;
        }

        boolean bool() { return int64() != 0; }

        String string() {
            expect(LEN);
            return new String(b, lenStart, lenEnd - lenStart, StandardCharsets.UTF_8);
        }

        Reader message() {
            expect(LEN);
            return new Reader(b, lenStart, lenEnd);
        }

        /** A map entry (key = 1, value = 2) put into the map. */
        void entryInto(Map<String, String> m) {
            Reader e = message();
            String k = "", v = "";
            while (e.next()) {
                if (e.field == 1 && e.wire == LEN) k = e.string();
                else if (e.field == 2 && e.wire == LEN) v = e.string();
            }
            m.put(k, v);
        }

        private void expect(int w) {
            if (wire != w) throw new Malformed("field " + field + ": wire type " + wire + ", expected " + w);
        }

        private void skip(int n) {
            if (n > end - pos) throw new Malformed("truncated fixed field");
            pos += n;
        }

        private long readVarint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw new Malformed("truncated varint");
                int x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new Malformed("varint too long");
        }
    }
}
