package dev.vigil.rules.fields;

/**
 * fnmatch(3)-style glob without FNM_PATHNAME (as Falco's {@code glob}): {@code *} matches any sequence
 * (including '/'), {@code ?} one character, {@code [...]} a class ({@code [!...]}/{@code [^...]} negated, ranges),
 * backslash escapes. Matching is iterative (no recursion) and O(n*m) worst case.
 */
public final class Glob {
    private final String pattern;
    private final boolean ignoreCase;

    public Glob(String pattern, boolean ignoreCase) {
        this.pattern = ignoreCase ? lowerAll(pattern) : pattern;
        this.ignoreCase = ignoreCase;
    }

    private static String lowerAll(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) sb.append(Strings.lower(s.charAt(i)));
        return sb.toString();
    }

    public boolean matches(CharSequence s) { return match(pattern, s, ignoreCase); }

    /** The pattern (lower-cased when the match ignores case). */
    public String pattern() { return pattern; }

    public boolean ignoresCase() { return ignoreCase; }

    public static boolean matches(String pattern, CharSequence s, boolean ignoreCase) {
        return match(ignoreCase ? lowerAll(pattern) : pattern, s, ignoreCase);
    }

    private static char at(CharSequence s, int i, boolean ic) {
        char c = s.charAt(i);
        return ic ? Strings.lower(c) : c;
    }

    private static boolean match(String p, CharSequence s, boolean ic) {
        int pi = 0, si = 0, starP = -1, starS = -1;
        int pn = p.length(), sn = s.length();
        while (si < sn) {
            if (pi < pn) {
                char pc = p.charAt(pi);
                if (pc == '*') {
                    starP = pi++;
                    starS = si;
                    continue;
                }
                if (pc == '?') {
                    pi++;
                    si++;
                    continue;
                }
                if (pc == '[') {
                    int end = classEnd(p, pi);
                    if (end > 0) {
                        if (classMatches(p, pi + 1, end, at(s, si, ic))) {
                            pi = end + 1;
                            si++;
                            continue;
                        }
                    } else if (at(s, si, ic) == '[') {
                        pi++;
                        si++;
                        continue;
                    }
                } else {
                    if (pc == '\\' && pi + 1 < pn) {
                        if (p.charAt(pi + 1) == at(s, si, ic)) {
                            pi += 2;
                            si++;
                            continue;
                        }
                    } else if (pc == at(s, si, ic)) {
                        pi++;
                        si++;
                        continue;
                    }
                }
            }
            if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
                continue;
            }
            return false;
        }
        while (pi < pn && p.charAt(pi) == '*') pi++;
        return pi == pn;
    }

    /** Index of the closing ']' of a class starting at {@code start}, or -1. */
    private static int classEnd(String p, int start) {
        int i = start + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) i++;
        if (i < p.length() && p.charAt(i) == ']') i++;
        while (i < p.length() && p.charAt(i) != ']') i++;
        return i < p.length() ? i : -1;
    }

    private static boolean classMatches(String p, int from, int end, char c) {
        boolean neg = false;
        int i = from;
        if (p.charAt(i) == '!' || p.charAt(i) == '^') {
            neg = true;
            i++;
        }
        boolean hit = false;
        boolean firstChar = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (lo == ']' && !firstChar) break;
            firstChar = false;
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                char hi = p.charAt(i + 2);
                if (c >= lo && c <= hi) hit = true;
                i += 3;
            } else {
                if (c == lo) hit = true;
                i++;
            }
        }
        return hit != neg;
    }
}
