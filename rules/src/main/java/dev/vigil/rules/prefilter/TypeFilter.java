package dev.vigil.rules.prefilter;

import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.fields.FieldRegistry;

/**
 * The kernel-side condition for one event type: an event passes if every dimension admits its value (a value
 * the kernel cannot know passes). {@code none}: no loaded rule or state need wants this type at all.
 *
 * <p>Dimensions and the values they read (the kernel must compute the same, or treat the value as unknown):
 * comm = proc.name (task comm); path = fd.name (the absolute path for files); accessMode = open flags &amp; O_ACCMODE
 * (0 RDONLY, 1 WRONLY, 2 RDWR, 3); container = 0 host, 1 in a container; result = 0 success (ret &gt;= 0),
 * 1 failure; uid = user.uid.
 */
public record TypeFilter(EventType type, boolean none, StringMatch comm, StringMatch path, ValueSet accessMode,
                         ValueSet container, ValueSet result, ValueSet uid) {
    public static final long HOST = 0, CONTAINER = 1, SUCCESS = 0, FAILURE = 1;

    public static TypeFilter passAll(EventType t) {
        return new TypeFilter(t, false, StringMatch.ANY, StringMatch.ANY, ValueSet.ANY, ValueSet.ANY, ValueSet.ANY, ValueSet.ANY);
    }

    public static TypeFilter dropAll(EventType t) {
        return new TypeFilter(t, true, StringMatch.ANY, StringMatch.ANY, ValueSet.ANY, ValueSet.ANY, ValueSet.ANY, ValueSet.ANY);
    }

    /** True if every event of the type passes. */
    public boolean isPassAll() {
        return !none && comm.any() && path.any() && accessMode.isAny() && container.isAny() && result.isAny() && uid.isAny();
    }

    public TypeFilter union(TypeFilter o) {
        if (none) return o;
        if (o.none) return this;
        return new TypeFilter(type, false, comm.union(o.comm), path.union(o.path), accessMode.union(o.accessMode),
                container.union(o.container), result.union(o.result), uid.union(o.uid));
    }

    public TypeFilter meet(TypeFilter o) {
        if (none) return this;
        if (o.none) return o;
        return new TypeFilter(type, false, comm.meet(o.comm), path.meet(o.path), accessMode.meet(o.accessMode),
                container.meet(o.container), result.meet(o.result), uid.meet(o.uid));
    }

    public TypeFilter withComm(StringMatch m) { return new TypeFilter(type, none, m, path, accessMode, container, result, uid); }
    public TypeFilter withPath(StringMatch m) { return new TypeFilter(type, none, comm, m, accessMode, container, result, uid); }
    public TypeFilter withAccessMode(ValueSet v) { return new TypeFilter(type, none, comm, path, v, container, result, uid); }
    public TypeFilter withContainer(ValueSet v) { return new TypeFilter(type, none, comm, path, accessMode, v, result, uid); }
    public TypeFilter withResult(ValueSet v) { return new TypeFilter(type, none, comm, path, accessMode, container, v, uid); }
    public TypeFilter withUid(ValueSet v) { return new TypeFilter(type, none, comm, path, accessMode, container, result, v); }

    /** The filter evaluated in Java on a decoded event (what the kernel program computes on the raw one). */
    public boolean passes(EventView e) {
        if (none) return false;
        ProcessView p = e.process();
        if (!comm.test(p == null ? null : p.name())) return false;
        if (!path.test(e.fd() == null ? null : e.fd().name())) return false;
        long flags = FieldRegistry.openFlags(e);
        if (!accessMode.test(flags != EventView.ABSENT, flags & 3)) return false;
        var c = e.container();
        if (!container.test(c != null && c.id() != null, c != null && "host".contentEquals(c.id()) ? HOST : CONTAINER)) return false;
        long r = e.rawRes();
        if (!result.test(r != EventView.ABSENT, r >= 0 ? SUCCESS : FAILURE)) return false;
        long u = p == null ? EventView.ABSENT : p.uid();
        return uid.test(u != EventView.ABSENT, u);
    }

    @Override public String toString() {
        if (none) return "drop all (no rule or state need)";
        if (isPassAll()) return "pass all";
        StringBuilder sb = new StringBuilder();
        add(sb, "comm", comm.any(), comm);
        add(sb, "path", path.any(), path);
        add(sb, "access", accessMode.isAny(), accessMode);
        add(sb, "container", container.isAny(), container);
        add(sb, "result", result.isAny(), result);
        add(sb, "uid", uid.isAny(), uid);
        return sb.toString();
    }

    private static void add(StringBuilder sb, String name, boolean any, Object v) {
        if (any) return;
        if (!sb.isEmpty()) sb.append(" and ");
        sb.append(name).append(' ').append(v);
    }
}
