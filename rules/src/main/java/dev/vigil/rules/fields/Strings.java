package dev.vigil.rules.fields;

/** Allocation-free text helpers over {@link CharSequence}, with fast paths for {@link String}. */
public final class Strings {
    private Strings() {}

    /** String.hashCode over any CharSequence. */
    public static int hash(CharSequence s) {
        if (s instanceof String str) return str.hashCode();
        int h = 0;
        for (int i = 0, n = s.length(); i < n; i++) h = 31 * h + s.charAt(i);
        return h;
    }

    public static boolean equals(CharSequence s, String k) {
        if (s instanceof String str) return str.equals(k);
        int n = s.length();
        if (n != k.length()) return false;
        for (int i = 0; i < n; i++) if (s.charAt(i) != k.charAt(i)) return false;
        return true;
    }

    public static boolean startsWith(CharSequence s, String k) {
        if (s instanceof String str) return str.startsWith(k);
        int n = k.length();
        if (s.length() < n) return false;
        for (int i = 0; i < n; i++) if (s.charAt(i) != k.charAt(i)) return false;
        return true;
    }

    public static boolean endsWith(CharSequence s, String k) {
        if (s instanceof String str) return str.endsWith(k);
        int n = k.length(), off = s.length() - n;
        if (off < 0) return false;
        for (int i = 0; i < n; i++) if (s.charAt(off + i) != k.charAt(i)) return false;
        return true;
    }

    public static int indexOf(CharSequence s, String k, int from) {
        if (s instanceof String str) return str.indexOf(k, from);
        int n = s.length(), m = k.length();
        if (m == 0) return from <= n ? from : -1;
        char first = k.charAt(0);
        outer:
        for (int i = from; i <= n - m; i++) {
            if (s.charAt(i) != first) continue;
            for (int j = 1; j < m; j++) if (s.charAt(i + j) != k.charAt(j)) continue outer;
            return i;
        }
        return -1;
    }

    public static boolean contains(CharSequence s, String k) { return indexOf(s, k, 0) >= 0; }

    /** Case-insensitive (ASCII and Unicode simple case folding) contains; {@code lowerK} is already lower case. */
    public static boolean icontains(CharSequence s, String lowerK) {
        int n = s.length(), m = lowerK.length();
        if (m == 0) return true;
        char first = lowerK.charAt(0);
        outer:
        for (int i = 0; i <= n - m; i++) {
            if (lower(s.charAt(i)) != first) continue;
            for (int j = 1; j < m; j++) if (lower(s.charAt(i + j)) != lowerK.charAt(j)) continue outer;
            return true;
        }
        return false;
    }

    public static char lower(char c) {
        if (c < 128) return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
        return Character.toLowerCase(c);
    }

    public static int compare(CharSequence a, String b) {
        if (a instanceof String s) return s.compareTo(b);
        return CharSequence.compare(a, b);
    }

    /** Byte-wise contains of {@code k} in a UTF-8-ish view of {@code s} (chars < 256 compared as bytes). */
    public static boolean bcontains(CharSequence s, byte[] k) {
        int n = s.length(), m = k.length;
        outer:
        for (int i = 0; i <= n - m; i++) {
            for (int j = 0; j < m; j++) if ((byte) s.charAt(i + j) != k[j]) continue outer;
            return true;
        }
        return false;
    }
}
