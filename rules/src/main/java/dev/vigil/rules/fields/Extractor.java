package dev.vigil.rules.fields;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.EventView;
import dev.vigil.events.IpAddr;

/**
 * Reads one field (with its argument, if any) from an event. Compiled once per field occurrence; allocation-free
 * for the hot accessors ({@link #str}, {@link #num}, {@link #ipHi}, ...). Which accessor applies follows
 * {@link #type()}'s kind: STRING -> str, NUMBER/BOOL -> num (BOOL as 0/1), IP/NET -> hasIp/ipHi/ipLo,
 * BYTES -> bytes. Absent values are null / {@link EventView#ABSENT} / hasIp false.
 */
public abstract class Extractor {
    protected final String name;
    protected final FieldType type;

    protected Extractor(String name, FieldType type) {
        this.name = name;
        this.type = type;
    }

    /** The field as written, with its argument ("proc.aname[2]"). */
    public final String name() { return name; }

    public final FieldType type() { return type; }

    public CharSequence str(EventView e) { throw new UnsupportedOperationException(name + " is not a string field"); }

    public long num(EventView e) { throw new UnsupportedOperationException(name + " is not numeric"); }

    public boolean hasIp(EventView e) { return false; }

    public long ipHi(EventView e) { return 0; }

    public long ipLo(EventView e) { return 0; }

    public ByteSequence bytes(EventView e) { return null; }

    /** For fields matching any of several values (fd.ip, proc.aname): the parts, else null. */
    public Extractor[] anyOf() { return null; }

    /** For "any ancestor" fields (proc.aname without index): the per-process getter, else null. */
    public ProcGetter ancestorGetter() { return null; }

    public boolean exists(EventView e) {
        return switch (type.kind()) {
            case STRING -> str(e) != null;
            case NUMBER, BOOL -> num(e) != EventView.ABSENT;
            case IP, NET -> hasIp(e);
            case BYTES -> bytes(e) != null;
        };
    }

    /** Appends the value as Falco prints it; false (nothing appended) when absent. */
    public boolean append(EventView e, StringBuilder sb) {
        switch (type.kind()) {
            case STRING -> {
                CharSequence s = str(e);
                if (s == null) return false;
                sb.append(s);
            }
            case NUMBER -> {
                long v = num(e);
                if (v == EventView.ABSENT) return false;
                sb.append(v);
            }
            case BOOL -> {
                long v = num(e);
                if (v == EventView.ABSENT) return false;
                sb.append(v != 0 ? "true" : "false");
            }
            case IP, NET -> {
                if (!hasIp(e)) return false;
                sb.append(IpAddr.format(ipHi(e), ipLo(e)));
            }
            case BYTES -> {
                ByteSequence b = bytes(e);
                if (b == null) return false;
                for (int i = 0; i < b.length(); i++) {
                    int c = b.byteAt(i) & 0xff;
                    sb.append(c >= 32 && c < 127 ? (char) c : '.');
                }
            }
        }
        return true;
    }

    /** The value for JSON output_fields: String, Long, Boolean, or null when absent. Allocates. */
    public Object jsonValue(EventView e) {
        switch (type.kind()) {
            case NUMBER -> {
                long v = num(e);
                return v == EventView.ABSENT ? null : v;
            }
            case BOOL -> {
                long v = num(e);
                return v == EventView.ABSENT ? null : v != 0;
            }
            default -> {
                StringBuilder sb = new StringBuilder();
                return append(e, sb) ? sb.toString() : null;
            }
        }
    }

    @Override
    public String toString() { return name; }
}
