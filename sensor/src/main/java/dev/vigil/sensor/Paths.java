package dev.vigil.sensor;

/** Lexical path normalization, as Falco does for fd.name: "." and ".." and repeated slashes resolved, no symlinks. */
final class Paths {
    private Paths() {}

    static String normalize(String p) {
        if (p.indexOf("/.") < 0 && p.indexOf("//") < 0 && !p.endsWith("/") || p.equals("/")) return p;
        String[] parts = p.split("/");
        String[] stack = new String[parts.length];
        int n = 0;
        for (String s : parts) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (n > 0) n--;
                continue;
            }
            stack[n++] = s;
        }
        if (n == 0) return "/";
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < n; i++) sb.append('/').append(stack[i]);
        return sb.toString();
    }
}
