package dev.vigil.rules.fields;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.Errno;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FlagSet;
import dev.vigil.events.Param;
import dev.vigil.events.ParamType;

/**
 * {@code evt.arg.NAME} / {@code evt.arg[NAME]} / {@code evt.arg[N]} (text, as Falco renders the parameter) and
 * {@code evt.rawarg.NAME} (the raw number). The parameter slot is resolved per event type once, at compile time,
 * so extraction is an array lookup. Flag and enum parameters render through their {@link FlagSet}; predicates
 * can test their bits directly through {@link #flagsOf(int)} and {@link #rawValue}.
 */
public final class ArgField extends Extractor {
    private final int[] slotByType = new int[EventType.COUNT];
    private final boolean raw;
    private final Scratch scratch = new Scratch();

    private ArgField(String display, FieldType type, boolean raw) {
        super(display, type);
        this.raw = raw;
    }

    /** By parameter name; throws if no event type has such a parameter. */
    public static ArgField byName(String display, String argName, boolean raw) throws FieldException {
        ArgField f = new ArgField(display, raw ? FieldType.INT64 : FieldType.CHARBUF, raw);
        boolean any = false;
        for (EventType t : EventType.values()) {
            int s = t.slotOf(argName);
            f.slotByType[t.id()] = s;
            if (s >= 0) {
                any = true;
                if (raw && !t.param(s).type().isNumeric()) f.slotByType[t.id()] = -1;
            }
        }
        if (!any) throw new FieldException("no event type has an argument named '" + argName + "' (in '" + display + "')");
        return f;
    }

    /** By position (evt.arg[0]). */
    public static ArgField byIndex(String display, int index) {
        ArgField f = new ArgField(display, FieldType.CHARBUF, false);
        for (EventType t : EventType.values()) f.slotByType[t.id()] = index < t.paramCount() ? index : -1;
        return f;
    }

    public int slot(int typeId) { return slotByType[typeId]; }

    /** The flag set of this argument for an event type, or null (not a flags/enum/mode argument). */
    public FlagSet flagsOf(int typeId) {
        int s = slotByType[typeId];
        return s < 0 ? null : EventType.byId(typeId).param(s).flags();
    }

    /** The raw numeric argument, or ABSENT. */
    public long rawValue(EventView e) {
        int s = slotByType[e.typeId()];
        return s < 0 ? EventView.ABSENT : e.argLong(s);
    }

    @Override
    public long num(EventView e) { return rawValue(e); }

    @Override
    public ByteSequence bytes(EventView e) {
        int s = slotByType[e.typeId()];
        return s < 0 ? null : e.argBytes(s);
    }

    @Override
    public CharSequence str(EventView e) {
        int t = e.typeId();
        int s = slotByType[t];
        if (s < 0) return null;
        Param p = EventType.byId(t).param(s);
        ParamType pt = p.type();
        if (pt.isText()) return e.argStr(s);
        if (pt == ParamType.BYTEBUF) {
            ByteSequence b = e.argBytes(s);
            if (b == null) return null;
            StringBuilder sb = scratch.get();
            for (int i = 0; i < b.length(); i++) {
                int c = b.byteAt(i) & 0xff;
                sb.append(c >= 32 && c < 127 ? (char) c : '.');
            }
            return sb;
        }
        if (p.flags() == null) {
            CharSequence resolved = e.argStr(s);
            if (resolved != null) return resolved;
        }
        long v = e.argLong(s);
        if (v == EventView.ABSENT) return null;
        StringBuilder sb = scratch.get();
        if (p.flags() != null) {
            p.flags().render(v, sb);
        } else if (pt == ParamType.ERRNO && v < 0) {
            String n = Errno.resString(v);
            if (n != null) return n;
            sb.append(v);
        } else {
            sb.append(v);
        }
        return sb;
    }

    @Override
    public boolean append(EventView e, StringBuilder sb) {
        if (raw) {
            long v = rawValue(e);
            if (v == EventView.ABSENT) return false;
            sb.append(v);
            return true;
        }
        CharSequence s = str(e);
        if (s == null) return false;
        sb.append(s);
        return true;
    }

    @Override
    public Object jsonValue(EventView e) {
        if (raw) {
            long v = rawValue(e);
            return v == EventView.ABSENT ? null : v;
        }
        CharSequence s = str(e);
        return s == null ? null : s.toString();
    }

    /** Renders all parameters "name=value ..." ({@code evt.args}). Allocates; for outputs. */
    public static String renderAll(EventView e) {
        EventType t = e.type();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.paramCount(); i++) {
            ArgField f = byIndex("evt.arg[" + i + "]", i);
            CharSequence v = f.str(e);
            if (v == null) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(t.param(i).name()).append('=').append(v);
        }
        return sb.toString();
    }
}
