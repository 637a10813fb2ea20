package dev.vigil.events.prefilter;

/**
 * One conjunction the kernel tests: the result, the access mode and whether the raw path has "..", each as a
 * small bit mask of the values admitted, and the file name (tested on clean paths only). An event passes a
 * clause if every dimension admits it; a value the kernel cannot know (an unjudged path) is admitted.
 *
 * <p>{@code results}: bit 0 success (return value &gt;= 0), bit 1 failure. {@code access}: bit N for
 * {@code flags & O_ACCMODE == N} (0 O_RDONLY, 1 O_WRONLY, 2 O_RDWR, 3). {@code dotdot}: bit 0 no "..", bit 1 "..".
 */
public record Clause(int results, int access, int dotdot, PathSet path) {
    public static final int SUCCESS = 1, FAILURE = 2, ALL_RESULTS = 3, ALL_ACCESS = 15, NO_DOTDOT = 1, DOTDOT = 2, ALL_DOTDOT = 3;
    public static final Clause ALL = new Clause(ALL_RESULTS, ALL_ACCESS, ALL_DOTDOT, PathSet.ANY);

    public Clause {
        results &= ALL_RESULTS;
        access &= ALL_ACCESS;
        dotdot &= ALL_DOTDOT;
    }

    /**
     * Admits nothing. A name set without members still admits the paths whose name the kernel cannot read off
     * the raw path (unclean, unjudged), so it does not make the clause empty.
     */
    public boolean isEmpty() { return results == 0 || access == 0 || dotdot == 0; }

    public boolean isAll() { return results == ALL_RESULTS && access == ALL_ACCESS && dotdot == ALL_DOTDOT && path.any(); }

    public Clause withResults(int r) { return new Clause(r, access, dotdot, path); }
    public Clause withAccess(int a) { return new Clause(results, a, dotdot, path); }
    public Clause withDotdot(int d) { return new Clause(results, access, d, path); }
    public Clause withPath(PathSet p) { return new Clause(results, access, dotdot, p); }

    public Clause meet(Clause o) {
        return new Clause(results & o.results, access & o.access, dotdot & o.dotdot, path.meet(o.path));
    }

    /** The smallest clause containing both (a box: more than their union). */
    public Clause hull(Clause o) {
        return new Clause(results | o.results, access | o.access, dotdot | o.dotdot, path.union(o.path));
    }

    @Override public String toString() {
        if (isAll()) return "any";
        StringBuilder sb = new StringBuilder();
        if (results != ALL_RESULTS) part(sb, results == SUCCESS ? "succeeded" : results == FAILURE ? "failed" : "never");
        if (access != ALL_ACCESS) {
            StringBuilder a = new StringBuilder();
            String[] names = {"O_RDONLY", "O_WRONLY", "O_RDWR", "3"};
            for (int i = 0; i < 4; i++) if ((access & (1 << i)) != 0) a.append(a.isEmpty() ? "" : ",").append(names[i]);
            part(sb, "access in (" + a + ")");
        }
        if (dotdot != ALL_DOTDOT) part(sb, dotdot == DOTDOT ? "raw path has '..'" : "raw path has no '..'");
        if (!path.any()) part(sb, "name " + path + " (or not a clean absolute path)");
        return sb.toString();
    }

    private static void part(StringBuilder sb, String s) { sb.append(sb.isEmpty() ? "" : " and ").append(s); }
}
