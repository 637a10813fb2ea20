package dev.vigil.events.prefilter;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of file names a kernel program can test cheaply on a clean absolute path (see {@link RawPath}): any name,
 * or a name equal to one of {@code exact}, starting with one of {@code prefixes} or ending with one of
 * {@code suffixes}. In the kernel: one prefix trie holding the prefixes and the exact names (with their NUL),
 * one trie of reversed suffixes.
 *
 * <p>Strings longer than {@link RawPath#MAX_JUDGED} bytes are left out: a path that long is never judged in the
 * kernel (it passes), so nothing is lost.
 */
public record PathSet(boolean any, Set<String> exact, Set<String> prefixes, Set<String> suffixes) {
    public static final PathSet ANY = new PathSet(true, Set.of(), Set.of(), Set.of());
    public static final PathSet NONE = new PathSet(false, Set.of(), Set.of(), Set.of());

    public PathSet {
        if (any) {
            exact = Set.of();
            prefixes = Set.of();
            suffixes = Set.of();
        } else {
            exact = judged(exact);
            prefixes = judged(prefixes);
            suffixes = judged(suffixes);
            if (prefixes.contains("") || suffixes.contains("")) {
                any = true;
                exact = prefixes = suffixes = Set.of();
            }
        }
    }

    private static Set<String> judged(Collection<String> in) {
        TreeSet<String> s = new TreeSet<>();
        for (String v : in) if (v.getBytes(StandardCharsets.UTF_8).length <= RawPath.MAX_JUDGED) s.add(v);
        return java.util.Collections.unmodifiableSortedSet(s);
    }

    public static PathSet exact(Collection<String> values) { return new PathSet(false, Set.copyOf(values), Set.of(), Set.of()); }

    public static PathSet prefix(String p) { return new PathSet(false, Set.of(), Set.of(p), Set.of()); }

    public static PathSet suffix(String s) { return new PathSet(false, Set.of(), Set.of(), Set.of(s)); }

    public static PathSet prefixes(Collection<String> ps) { return new PathSet(false, Set.of(), Set.copyOf(ps), Set.of()); }

    public static PathSet suffixes(Collection<String> ss) { return new PathSet(false, Set.of(), Set.of(), Set.copyOf(ss)); }

    public boolean isNone() { return !any && exact.isEmpty() && prefixes.isEmpty() && suffixes.isEmpty(); }

    public int size() { return exact.size() + prefixes.size() + suffixes.size(); }

    /** Whether the (clean, absolute) name is in the set. */
    public boolean test(String v) {
        if (any) return true;
        if (exact.contains(v)) return true;
        for (String p : prefixes) if (v.startsWith(p)) return true;
        for (String s : suffixes) if (v.endsWith(s)) return true;
        return false;
    }

    public PathSet union(PathSet o) {
        if (any || o.any) return ANY;
        return new PathSet(false, plus(exact, o.exact), plus(prefixes, o.prefixes), plus(suffixes, o.suffixes));
    }

    /**
     * A superset of the intersection: the union of the parts' pairwise intersections, each exact where the
     * strings allow (exact names filtered by the other set, the longer of two nested prefixes or suffixes) and
     * the prefix where a prefix meets a suffix (not representable: the prefix alone contains it).
     */
    public PathSet meet(PathSet o) {
        if (any) return o;
        if (o.any) return this;
        Set<String> ex = new TreeSet<>(), pre = new TreeSet<>(), suf = new TreeSet<>();
        for (String e : exact) if (o.test(e)) ex.add(e);
        for (String e : o.exact) if (test(e)) ex.add(e);
        for (String p : prefixes) {
            for (String q : o.prefixes) {
                if (p.startsWith(q)) pre.add(p);
                else if (q.startsWith(p)) pre.add(q);
            }
            if (!o.suffixes.isEmpty()) pre.add(p);
        }
        for (String s : suffixes) {
            for (String t : o.suffixes) {
                if (s.endsWith(t)) suf.add(s);
                else if (t.endsWith(s)) suf.add(t);
            }
        }
        for (String q : o.prefixes) if (!suffixes.isEmpty()) pre.add(q);
        return new PathSet(false, ex, pre, suf);
    }

    private static Set<String> plus(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    @Override public String toString() {
        if (any) return "any";
        StringBuilder sb = new StringBuilder();
        if (!exact.isEmpty()) sb.append("in ").append(exact);
        if (!prefixes.isEmpty()) sb.append(sb.isEmpty() ? "" : " or ").append("startswith ").append(prefixes);
        if (!suffixes.isEmpty()) sb.append(sb.isEmpty() ? "" : " or ").append("endswith ").append(suffixes);
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
