package dev.vigil.rules.compile;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.EventView;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.FieldException;
import dev.vigil.rules.fields.FieldType;
import dev.vigil.rules.fields.Scratch;
import dev.vigil.rules.fields.Strings;

/** Falco's field transformers: tolower(), toupper(), b64(), basename(), len(). Allocation-free (scratch buffers). */
final class Transformers {
    private Transformers() {}

    static Extractor wrap(String fn, Extractor in) throws FieldException {
        String name = fn + "(" + in.name() + ")";
        FieldType.Kind k = in.type().kind();
        switch (fn) {
            case "tolower", "toupper", "basename", "b64" -> {
                if (k != FieldType.Kind.STRING && !(fn.equals("b64") && k == FieldType.Kind.BYTES)) {
                    throw new FieldException("transformer '" + fn + "' needs a string field, but '" + in.name() + "' is " + in.type());
                }
            }
            case "len" -> {
                if (k != FieldType.Kind.STRING && k != FieldType.Kind.BYTES) {
                    throw new FieldException("transformer 'len' needs a string or buffer field, but '" + in.name() + "' is " + in.type());
                }
                return new Extractor(name, FieldType.UINT64) {
                    @Override public long num(EventView e) {
                        if (k == FieldType.Kind.BYTES) {
                            ByteSequence b = in.bytes(e);
                            return b == null ? EventView.ABSENT : b.length();
                        }
                        CharSequence s = in.str(e);
                        return s == null ? EventView.ABSENT : s.length();
                    }
                };
            }
            default -> throw new FieldException("unknown transformer '" + fn + "'");
        }
        Scratch scratch = new Scratch();
        return new Extractor(name, FieldType.CHARBUF) {
            @Override public CharSequence str(EventView e) {
                if (fn.equals("b64")) return b64(e);
                CharSequence s = in.str(e);
                if (s == null) return null;
                StringBuilder sb = scratch.get();
                switch (fn) {
                    case "tolower" -> {
                        for (int i = 0; i < s.length(); i++) sb.append(Strings.lower(s.charAt(i)));
                    }
                    case "toupper" -> {
                        for (int i = 0; i < s.length(); i++) sb.append(Character.toUpperCase(s.charAt(i)));
                    }
                    default -> {
                        int end = s.length();
                        int slash = -1;
                        for (int i = end - 1; i >= 0; i--) {
                            if (s.charAt(i) == '/') {
                                slash = i;
                                break;
                            }
                        }
                        sb.append(s, slash + 1, end);
                    }
                }
                return sb;
            }

            private CharSequence b64(EventView e) {
                StringBuilder sb = scratch.get();
                int acc = 0, bits = 0;
                if (k == FieldType.Kind.BYTES) {
                    ByteSequence b = in.bytes(e);
                    if (b == null) return null;
                    for (int i = 0; i < b.length(); i++) {
                        int v = val((char) (b.byteAt(i) & 0xff));
                        if (v == -2) break;
                        if (v < 0) return null;
                        acc = (acc << 6) | v;
                        bits += 6;
                        if (bits >= 8) {
                            bits -= 8;
                            sb.append((char) ((acc >> bits) & 0xff));
                        }
                    }
                    return sb;
                }
                CharSequence s = in.str(e);
                if (s == null) return null;
                for (int i = 0; i < s.length(); i++) {
                    int v = val(s.charAt(i));
                    if (v == -2) break;
                    if (v < 0) return null;
                    acc = (acc << 6) | v;
                    bits += 6;
                    if (bits >= 8) {
                        bits -= 8;
                        sb.append((char) ((acc >> bits) & 0xff));
                    }
                }
                return sb;
            }
        };
    }

    private static int val(char c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        if (c == '=') return -2;
        return -1;
    }
}
