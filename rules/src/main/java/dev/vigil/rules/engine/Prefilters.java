package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.events.prefilter.TypeFilter;
import dev.vigil.rules.compile.KernelConditions;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.fields.Extractor;

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

    /**
     * @param selected the types the sensor captures
     * @param passWhole types captured whole whatever the rules say (Falco's base_syscalls.custom_set)
     * @param fdTableNeedsOpens every successful open must reach the fd table (see {@link #readsFdTable})
     */
    public static Prefilter derive(RuleSet rs, Set<EventType> selected, Set<EventType> passWhole, boolean fdTableNeedsOpens) {
        Map<EventType, TypeFilter> m = new EnumMap<>(EventType.class);
        for (EventType t : FILTERED) {
            if (!selected.contains(t) || passWhole.contains(t)) continue;
            TypeFilter f = TypeFilter.DROP_ALL;
            for (CompiledRule r : rs.rulesFor(t)) {
                f = f.union(KernelConditions.derive(r.predicateFor(t.id()), t));
                if (f.passAll()) break;
            }
            for (Correlation c : rs.correlations().enabled()) {
                for (Correlation.Step s : c.steps()) {
                    if (s.eventTypes().contains(t)) f = f.union(KernelConditions.derive(s.predicateFor(t.id()), t));
                }
            }
            if (fdTableNeedsOpens) f = f.union(TypeFilter.of(Clause.ALL.withResults(Clause.SUCCESS)));
            m.put(t, f);
        }
        return new Prefilter(m);
    }

    /**
     * Whether alerts can depend on what the fd table holds for a file an open created: some enabled rule on one
     * of {@code readers} (the types whose fd the sensor takes from the table) reads an fd field in its condition
     * or output, or a correlation has a step on one of them (its keys may), or {@code extraOutputReadsFd} (fields
     * appended to every output). Then every successful open must pass: a stale or missing entry would change them.
     */
    public static boolean readsFdTable(RuleSet rs, Set<EventType> readers, boolean extraOutputReadsFd) {
        if (extraOutputReadsFd) return true;
        for (EventType t : readers) {
            for (CompiledRule r : rs.rulesFor(t)) {
                boolean[] reads = {false};
                KernelConditions.fields(r.predicateFor(t.id()), f -> reads[0] |= f.contains("fd.") || f.startsWith("fdlist.") || f.equals("?"));
                if (reads[0]) return true;
                for (Extractor x : r.output().fields()) if (KernelConditions.readsFd(x)) return true;
            }
            for (Correlation c : rs.correlations().enabled()) {
                for (Correlation.Step s : c.steps()) if (s.eventTypes().contains(t)) return true;
            }
        }
        return false;
    }

    /** The fields a predicate reads (for tests and `rules explain`). */
    public static List<String> fields(Pred p) {
        List<String> out = new java.util.ArrayList<>();
        KernelConditions.fields(p, out::add);
        return out;
    }
}
