package dev.vigil.rules.prefilter;

import java.util.Set;
import java.util.TreeSet;

/**
 * A set of integers: {@code values}, or with {@code negated} every value except them. Exact under union and
 * intersection. On the kernel side: a hash set (or a bit mask for small enumerations) plus the negation flag.
 */
public record ValueSet(boolean negated, Set<Long> values) {
    public static final ValueSet ANY = new ValueSet(true, Set.of());

    public ValueSet {
        values = Set.copyOf(values);
    }

    public static ValueSet of(Long... vs) { return new ValueSet(false, Set.of(vs)); }

    public static ValueSet of(Set<Long> vs) { return new ValueSet(false, vs); }

    public static ValueSet except(Set<Long> vs) { return new ValueSet(true, vs); }

    public boolean isAny() { return negated && values.isEmpty(); }

    /** An unknown value ({@code known} false) always passes. */
    public boolean test(boolean known, long v) { return !known || values.contains(v) != negated; }

    public ValueSet complement() { return new ValueSet(!negated, values); }

    public ValueSet union(ValueSet o) {
        if (!negated && !o.negated) return new ValueSet(false, plus(values, o.values));
        if (negated && o.negated) return new ValueSet(true, common(values, o.values));
        ValueSet neg = negated ? this : o, pos = negated ? o : this;
        return new ValueSet(true, minus(neg.values, pos.values));
    }

    public ValueSet meet(ValueSet o) { return complement().union(o.complement()).complement(); }

    private static Set<Long> plus(Set<Long> a, Set<Long> b) { Set<Long> s = new TreeSet<>(a); s.addAll(b); return s; }

    private static Set<Long> common(Set<Long> a, Set<Long> b) { Set<Long> s = new TreeSet<>(a); s.retainAll(b); return s; }

    private static Set<Long> minus(Set<Long> a, Set<Long> b) { Set<Long> s = new TreeSet<>(a); s.removeAll(b); return s; }

    @Override public String toString() {
        if (isAny()) return "any";
        return (negated ? "not in " : "in ") + new TreeSet<>(values);
    }
}
