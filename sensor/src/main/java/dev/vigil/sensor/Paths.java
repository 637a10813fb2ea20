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

    /**
     * An executable's path as Falco's proc.exepath gives it: a memfd's is "memfd:NAME" (the kernel's d_path
     * says "/memfd:NAME (deleted)": the file lives on an internal mount, so Falco writes no leading slash and
     * the stable rules compare against e.g. "memfd:runc_cloned:/proc/self/exe"). Other paths unchanged.
     */
    static String exePath(String p) {
        if (p == null || !p.startsWith("/memfd:")) return p;
        String s = p.substring(1);
        return s.endsWith(" (deleted)") ? s.substring(0, s.length() - " (deleted)".length()) : s;
    }
}
