package dev.vigil.rules.prefilter;

import java.util.Set;
import java.util.TreeSet;

/**
 * A set of strings a kernel program can test cheaply: any value, or a value equal to one of {@code exact},
 * starting with one of {@code prefixes} or ending with one of {@code suffixes}. On the kernel side: a hash set
 * for the exact values, a prefix trie (LPM map) for the prefixes, a reversed trie for the suffixes.
 */
public record StringMatch(boolean any, Set<String> exact, Set<String> prefixes, Set<String> suffixes) {
    public static final StringMatch ANY = new StringMatch(true, Set.of(), Set.of(), Set.of());

    public StringMatch {
        exact = Set.copyOf(exact);
        prefixes = Set.copyOf(prefixes);
        suffixes = Set.copyOf(suffixes);
    }

    public static StringMatch exact(Iterable<String> values) {
        Set<String> s = new TreeSet<>();
        values.forEach(s::add);
        return new StringMatch(false, s, Set.of(), Set.of());
    }

    public static StringMatch prefix(String p) {
        return p.isEmpty() ? ANY : new StringMatch(false, Set.of(), Set.of(p), Set.of());
    }

    public static StringMatch suffix(String p) {
        return p.isEmpty() ? ANY : new StringMatch(false, Set.of(), Set.of(), Set.of(p));
    }

    public int size() { return exact.size() + prefixes.size() + suffixes.size(); }

    /** Whether the value is in the set; an unknown value (null) always passes. */
    public boolean test(CharSequence v) {
        if (any || v == null) return true;
        String s = v.toString();
        if (exact.contains(s)) return true;
        for (String p : prefixes) if (s.startsWith(p)) return true;
        for (String p : suffixes) if (s.endsWith(p)) return true;
        return false;
    }

    /** A set containing both. */
    public StringMatch union(StringMatch o) {
        if (any || o.any) return ANY;
        return new StringMatch(false, merge(exact, o.exact), merge(prefixes, o.prefixes), merge(suffixes, o.suffixes));
    }

    /** A set containing the intersection: the more selective operand (an over-approximation, never too small). */
    public StringMatch meet(StringMatch o) {
        if (any) return o;
        if (o.any) return this;
        return o.size() < size() ? o : this;
    }

    private static Set<String> merge(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    @Override public String toString() {
        if (any) return "any";
        StringBuilder sb = new StringBuilder();
        if (!exact.isEmpty()) sb.append("in ").append(new TreeSet<>(exact));
        if (!prefixes.isEmpty()) sb.append(sb.isEmpty() ? "" : " or ").append("startswith ").append(new TreeSet<>(prefixes));
        if (!suffixes.isEmpty()) sb.append(sb.isEmpty() ? "" : " or ").append("endswith ").append(new TreeSet<>(suffixes));
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
