package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.events.prefilter.TypeFilter;
import dev.vigil.rules.compile.KernelConditions;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.correlation.Correlation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel prefilter of a rule set (issue #17): for each selected type of the open family, the union of what
 * every enabled rule and correlation step on it could match (their conditions after macros, lists, exceptions and
 * the per-type specialisation), plus the successful opens when the fd table must know every open file.
 */
public final class Prefilters {
    private Prefilters() {}

    /** The types the kernel prefilter judges. */
    public static final Set<EventType> FILTERED = Set.of(EventType.OPEN, EventType.OPENAT, EventType.OPENAT2, EventType.CREAT);

    /** As {@link #derive(RuleSet, Set, Set, FdStateNeeds)} with the fd need given as a flag (tests). */
    public static Prefilter derive(RuleSet rs, Set<EventType> selected, Set<EventType> passWhole, boolean fdTableNeedsOpens) {
        return derive(rs, selected, passWhole, new FdStateNeeds(fdTableNeedsOpens, List.of()));
    }

    /**
     * @param selected the types the sensor captures
     * @param passWhole types captured whole whatever the rules say (Falco's base_syscalls.custom_set)
     * @param fd whether the fd table needs every successful open (see {@link FdStateNeeds})
     */
    public static Prefilter derive(RuleSet rs, Set<EventType> selected, Set<EventType> passWhole, FdStateNeeds fd) {
        Map<EventType, TypeFilter> m = new EnumMap<>(EventType.class);
        Map<EventType, List<String>> why = new EnumMap<>(EventType.class);
        for (EventType t : FILTERED) {
            if (!selected.contains(t)) continue;
            List<String> w = new ArrayList<>();
            why.put(t, w);
            if (passWhole.contains(t)) {
                w.add("base_syscalls.custom_set names it: captured whole");
                m.put(t, TypeFilter.PASS_ALL);
                continue;
            }
            TypeFilter f = TypeFilter.DROP_ALL;
            for (CompiledRule r : rs.rulesFor(t)) {
                TypeFilter d = KernelConditions.derive(r.predicateFor(t.id()), t);
                if (d.passAll() && w.size() < 8) w.add("rule '" + r.name() + "': its condition on " + t.falcoName() + " tests nothing the kernel can (e.g. "
                        + firstUnreduced(r.predicateFor(t.id())) + ")");
                f = f.union(d);
            }
            for (Correlation c : rs.correlations().enabled()) {
                for (Correlation.Step s : c.steps()) {
                    if (!s.eventTypes().contains(t)) continue;
                    TypeFilter d = KernelConditions.derive(s.predicateFor(t.id()), t);
                    if (d.passAll() && w.size() < 8) w.add("correlation '" + c.name() + "' step '" + s.name() + "': its condition tests nothing the kernel can");
                    f = f.union(d);
                }
            }
            if (fd.needed()) {
                f = f.union(TypeFilter.of(Clause.ALL.withResults(Clause.SUCCESS)));
                w.add("the fd table needs every successful open (fd state needs below)");
            } else {
                w.add("no alert reads fd state an open created: successful opens no rule matches are dropped too");
            }
            m.put(t, f);
        }
        List<String> notes = new ArrayList<>();
        StringBuilder whole = new StringBuilder();
        for (EventType t : EventType.values()) if (selected.contains(t) && !FILTERED.contains(t)) whole.append(whole.isEmpty() ? "" : ", ").append(t.falcoName());
        if (!whole.isEmpty()) notes.add("written whole (no kernel filter for these types): " + whole);
        if (!fd.reasons().isEmpty()) notes.addAll(prefixed(fd.reasons()));
        return new Prefilter(m, why, notes);
    }

    private static List<String> prefixed(List<String> rs) {
        List<String> out = new ArrayList<>();
        out.add("fd state needs:");
        for (String r : rs) out.add("  " + r);
        return out;
    }

    /** A field of the predicate the kernel does not test, for the explanation. */
    private static String firstUnreduced(Pred p) {
        for (String f : fields(p)) {
            if (!Set.of("fd.name", "fd.nameraw", "fd.directory", "fd.filename", "fd.num", "evt.res", "evt.rawres", "evt.failed",
                    "evt.is_open_read", "evt.is_open_write", "evt.type").contains(f)) return f;
        }
        return "a test outside the conditions the kernel evaluates";
    }

    /** The fields a predicate reads (for tests and `rules explain`). */
    public static List<String> fields(Pred p) {
        List<String> out = new java.util.ArrayList<>();
        KernelConditions.fields(p, out::add);
        return out;
    }
}
