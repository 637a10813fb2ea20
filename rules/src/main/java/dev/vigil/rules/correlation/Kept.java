package dev.vigil.rules.correlation;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.EventView;
import dev.vigil.events.IpAddr;
import dev.vigil.rules.fields.Extractor;

/**
 * One field of a step's event, kept until the sequence completes, in its raw form (numbers and addresses as
 * longs; an immutable String by reference, other text copied into a reused buffer): keeping allocates nothing;
 * rendering happens only for an alert.
 */
final class Kept {
    private long a, b;
    private final StringBuilder text = new StringBuilder();
    /** The kept text when the field gave a String (the process table's values are): no copy needed. */
    private String string;
    private boolean present;
    private boolean isBool, isIp, isText;

    void capture(Extractor x, EventView e) {
        isBool = isIp = isText = false;
        string = null;
        text.setLength(0);
        switch (x.type().kind()) {
            case NUMBER, BOOL -> {
                a = x.num(e);
                present = a != EventView.ABSENT;
                isBool = x.type().kind() == dev.vigil.rules.fields.FieldType.Kind.BOOL;
            }
            case IP, NET -> {
                present = x.hasIp(e);
                isIp = true;
                if (present) {
                    a = x.ipHi(e);
                    b = x.ipLo(e);
                }
            }
            case STRING -> {
                isText = true;
                CharSequence s = x.str(e);
                present = s != null;
                if (s instanceof String str) string = str; // a first step matches often (every connect): don't copy
                else if (present) text.append(s);
            }
            case BYTES -> {
                isText = true;
                ByteSequence bs = x.bytes(e);
                present = bs != null;
                if (present) x.append(e, text);
            }
        }
    }

    boolean appendTo(StringBuilder sb) {
        if (!present) return false;
        if (isText) sb.append(string != null ? string : text);
        else if (isIp) sb.append(IpAddr.format(a, b));
        else if (isBool) sb.append(a != 0 ? "true" : "false");
        else sb.append(a);
        return true;
    }

    /** As Extractor.jsonValue gives it: Long, Boolean, String or null. */
    Object json() {
        if (!present) return null;
        if (isText) return string != null ? string : text.toString();
        if (isIp) return IpAddr.format(a, b);
        if (isBool) return a != 0;
        return a;
    }
}
