package dev.vigil.events.prefilter;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel condition for one event type of the open family: a disjunction of at most {@link #MAX_CLAUSES}
 * clauses (the kernel keeps one bit per clause), or pass-all. No clauses: nothing of this type is needed.
 */
public record TypeFilter(boolean passAll, List<Clause> clauses) {
    public static final int MAX_CLAUSES = 8;
    public static final TypeFilter PASS_ALL = new TypeFilter(true, List.of());
    public static final TypeFilter DROP_ALL = new TypeFilter(false, List.of());

    public TypeFilter {
        if (passAll) clauses = List.of();
        else {
            List<Clause> l = new ArrayList<>();
            for (Clause c : clauses) {
                if (c.isAll()) {
                    passAll = true;
                    l.clear();
                    break;
                }
                if (!c.isEmpty() && !l.contains(c)) l.add(c);
            }
            clauses = List.copyOf(fit(l));
        }
    }

    public static TypeFilter of(Clause c) { return new TypeFilter(false, List.of(c)); }

    /** Merges clauses into their hulls until at most MAX_CLAUSES remain: first those differing in the fewest ways. */
    private static List<Clause> fit(List<Clause> l) {
        while (l.size() > MAX_CLAUSES) {
            int bi = 0, bj = 1, best = Integer.MAX_VALUE;
            for (int i = 0; i < l.size(); i++) {
                for (int j = i + 1; j < l.size(); j++) {
                    int d = distance(l.get(i), l.get(j));
                    if (d < best) { best = d; bi = i; bj = j; }
                }
            }
            Clause h = l.get(bi).hull(l.get(bj));
            l.remove(bj);
            l.set(bi, h);
        }
        return l;
    }

    private static int distance(Clause a, Clause b) {
        int d = 0;
        if (a.results() != b.results()) d += 4;
        if (a.access() != b.access()) d += 4;
        if (a.dotdot() != b.dotdot()) d += 4;
        if (!a.path().equals(b.path())) d += a.path().any() || b.path().any() ? 8 : 1;
        return d;
    }

    public boolean dropsAll() { return !passAll && clauses.isEmpty(); }

    public TypeFilter union(TypeFilter o) {
        if (passAll || o.passAll) return PASS_ALL;
        List<Clause> l = new ArrayList<>(clauses);
        l.addAll(o.clauses);
        return new TypeFilter(false, l);
    }

    public TypeFilter meet(TypeFilter o) {
        if (passAll) return o;
        if (o.passAll) return this;
        List<Clause> l = new ArrayList<>();
        for (Clause a : clauses) for (Clause b : o.clauses) l.add(a.meet(b));
        return new TypeFilter(false, l);
    }

    /**
     * The complement of the box {results} x {access} (other dimensions any): what fails the result test or the
     * access test. Exact, so a {@code not} over a leaf the kernel tests exactly keeps its precision.
     */
    public static TypeFilter complementOf(int results, int access) {
        List<Clause> l = new ArrayList<>();
        if (results != Clause.ALL_RESULTS) l.add(Clause.ALL.withResults(Clause.ALL_RESULTS & ~results));
        if (access != Clause.ALL_ACCESS) l.add(Clause.ALL.withAccess(Clause.ALL_ACCESS & ~access));
        return new TypeFilter(false, l);
    }

    /**
     * Whether the kernel writes the event to the ring: this is the kernel program's decision, step by step
     * (prefilter.bpf.h), on what it reads: the raw path (null: none or unreadable), the open flags (-1: they
     * could not be read) and the return value.
     */
    public boolean passes(String rawPath, long flags, long ret) {
        if (passAll) return true;
        int m = 0;
        for (int i = 0; i < clauses.size(); i++) {
            Clause c = clauses.get(i);
            if ((c.results() & (ret >= 0 ? Clause.SUCCESS : Clause.FAILURE)) != 0) m |= 1 << i;
        }
        if (m == 0) return false;
        if (flags < 0) return true;
        int acc = 1 << (int) (flags & 3);
        for (int i = 0; i < clauses.size(); i++) if ((clauses.get(i).access() & acc) == 0) m &= ~(1 << i);
        if (m == 0) return false;
        for (int i = 0; i < clauses.size(); i++) {
            Clause c = clauses.get(i);
            if ((m & (1 << i)) != 0 && c.path().any() && c.dotdot() == Clause.ALL_DOTDOT) return true;
        }
        RawPath r = RawPath.of(rawPath);
        if (!r.judged()) return true;
        int dd = r.dotdot() ? Clause.DOTDOT : Clause.NO_DOTDOT;
        for (int i = 0; i < clauses.size(); i++) if ((clauses.get(i).dotdot() & dd) == 0) m &= ~(1 << i);
        if (m == 0) return false;
        for (int i = 0; i < clauses.size(); i++) if ((m & (1 << i)) != 0 && clauses.get(i).path().any()) return true;
        if (!r.clean()) return true;
        for (int i = 0; i < clauses.size(); i++) if ((m & (1 << i)) != 0 && clauses.get(i).path().test(rawPath)) return true;
        return false;
    }

    @Override public String toString() {
        if (passAll) return "pass all";
        if (clauses.isEmpty()) return "drop all (no rule or state need)";
        StringBuilder sb = new StringBuilder();
        for (Clause c : clauses) sb.append(sb.isEmpty() ? "" : "\n  or ").append(c);
        return sb.toString();
    }
}
