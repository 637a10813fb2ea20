package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.PathSet;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.events.prefilter.RawPath;
import dev.vigil.events.prefilter.TypeFilter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-kernel prefilter on the real kernel (issue #17): real opens by a child, each case's kernel verdict (did
 * its record reach the ring?) equal to the Java mirror's ({@link TypeFilter#passes}) and to the expected one; a
 * swap of the maps takes effect without reattaching. The child ends each batch with close(12345), which is never
 * filtered: once it is seen, every earlier record of the child has been read.
 */
class SensorPrefilterTest {
    static final int O_RDONLY = 0, O_WRONLY = 01, O_CREAT = 0100;
    static SensorHarness h;
    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        KernelTests.assumeKernel();
        h = new SensorHarness(Selection.of(EventType.OPENAT, EventType.OPEN, EventType.CLOSE));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (h != null) h.close();
    }

    /** Runs the child's "opens" over the paths; returns the raw names of its open records of them, in order. */
    static List<String> opened(int flags, String... paths) throws Exception {
        List<String> args = new ArrayList<>(List.of("opens", Integer.toOctalString(flags)));
        args.addAll(List.of(paths));
        var r = SensorHarness.run(args.toArray(String[]::new));
        h.await(e -> e.type() == EventType.CLOSE && e.process() != null && e.process().pid() == r.pid()
                && e.argLong(EventType.CLOSE.slotOf("fd")) == 12345);
        List<String> out = new ArrayList<>();
        for (Event e : h.events) {
            if (e.type().isOpen() && e.process() != null && e.process().pid() == r.pid() && List.of(paths).contains(String.valueOf(e.fd().nameRaw()))) {
                out.add(String.valueOf(e.fd().nameRaw()));
            }
        }
        return out;
    }

    @Test
    void theKernelPassesExactlyWhatTheMirrorPasses() throws Exception {
        String d = dir.toString();
        Files.createDirectories(dir.resolve("keep"));
        Files.createDirectories(dir.resolve("other"));
        Files.writeString(dir.resolve("keep/a"), "a");
        Files.writeString(dir.resolve("other/b"), "b");
        Files.writeString(dir.resolve("exact"), "e");
        Files.writeString(dir.resolve("exactX"), "e");
        TypeFilter f = new TypeFilter(false, List.of(
                new Clause(Clause.SUCCESS, 1 << 0, Clause.ALL_DOTDOT, PathSet.prefix(d + "/keep/").union(PathSet.exact(List.of(d + "/exact")))),
                new Clause(Clause.FAILURE, Clause.ALL_ACCESS, Clause.DOTDOT, PathSet.ANY),
                new Clause(Clause.ALL_RESULTS, 1 << 1, Clause.ALL_DOTDOT, PathSet.suffix(".log"))));
        h.sensor.installPrefilter(new Prefilter(Map.of(EventType.OPENAT, f)));
        String longMissing = d + "/" + "l".repeat(260) + "/x";
        assertThat(RawPath.of(longMissing).judged()).isFalse();
        // path -> expected verdict (success/failure follows from whether the file exists)
        Map<String, Boolean> reads = new LinkedHashMap<>();
        reads.put(d + "/keep/a", true);            // clause 0: success, O_RDONLY, under keep/
        reads.put(d + "/other/b", false);          // no clause admits the name
        reads.put(d + "/exact", true);             // clause 0's exact name
        reads.put(d + "/exactX", false);           // exact means whole
        reads.put(d + "/keep/../other/b", true);   // unclean: the name is not the raw path, so it passes
        reads.put(d + "//other/b", true);          // unclean too
        reads.put(d + "/missing", false);          // a failure without ".."
        reads.put(d + "/x/../missing", true);      // clause 1: a failure with ".."
        reads.put(longMissing, true);              // too long to judge: passes
        assertVerdicts(O_RDONLY, reads);
        Map<String, Boolean> writes = new LinkedHashMap<>();
        writes.put(d + "/other/app.log", true);    // clause 2: O_WRONLY, name ends with .log
        writes.put(d + "/other/app.txt", false);
        writes.put(d + "/keep/w", false);          // clause 0 wants O_RDONLY
        assertVerdicts(O_WRONLY | O_CREAT, writes);
        assertThat(h.sensor.prefilterDropped()).isPositive();
        assertThat(h.sensor.prefilter().filter(EventType.OPENAT)).isEqualTo(f);
    }

    private static void assertVerdicts(int flags, Map<String, Boolean> expected) throws Exception {
        List<String> got = opened(flags, expected.keySet().toArray(String[]::new));
        TypeFilter f = h.sensor.prefilter().filter(EventType.OPENAT);
        for (Map.Entry<String, Boolean> c : expected.entrySet()) {
            String p = c.getKey();
            long ret = Files.exists(Path.of(p)) ? 3 : -2;
            assertThat(f.passes(p, flags, ret)).as("mirror on %s", p).isEqualTo(c.getValue());
            assertThat(got.contains(p)).as("kernel on %s (delivered: %s)", p, got).isEqualTo(c.getValue());
        }
    }

    @Test
    void aSwapTakesEffectWithoutReattaching() throws Exception {
        Path f = Files.writeString(dir.resolve("swap"), "s");
        h.sensor.installPrefilter(new Prefilter(Map.of(EventType.OPENAT, TypeFilter.DROP_ALL)));
        assertThat(opened(O_RDONLY, f.toString())).isEmpty();
        h.sensor.installPrefilter(Prefilter.NONE);
        assertThat(opened(O_RDONLY, f.toString())).containsExactly(f.toString());
        h.sensor.installPrefilter(new Prefilter(Map.of(EventType.OPENAT, TypeFilter.of(Clause.ALL.withPath(PathSet.exact(List.of(f.toString())))))));
        assertThat(opened(O_RDONLY, f.toString(), dir.resolve("nope").toString())).containsExactly(f.toString());
    }

    /**
     * The kernel scans a path eight bytes at a time (prefilter.bpf.h): every pattern it looks for ("..", "//", a
     * trailing '/', "." and ".." components) and the reversed copy for the suffix trie, at every byte offset in a
     * word and across word boundaries, up to the longest judged path, give the mirror's verdict. Three filters
     * isolate the three things the scan computes: passes iff "..", passes iff not clean, passes iff not clean or the
     * name ends with "/zq" (or starts with the prefix, which exercises the forward key beside the reversed one).
     */
    @Test
    void theWordScanAgreesWithTheMirrorAtEveryOffset() throws Exception {
        List<String> paths = boundaryPaths();
        assertThat(paths).hasSizeGreaterThan(1000);
        String nowhere = "/vigil-pf-never-opened";
        List<TypeFilter> filters = List.of(
                TypeFilter.of(new Clause(Clause.ALL_RESULTS, Clause.ALL_ACCESS, Clause.DOTDOT, PathSet.ANY)),
                TypeFilter.of(new Clause(Clause.ALL_RESULTS, Clause.ALL_ACCESS, Clause.ALL_DOTDOT, PathSet.exact(List.of(nowhere)))),
                TypeFilter.of(new Clause(Clause.ALL_RESULTS, Clause.ALL_ACCESS, Clause.ALL_DOTDOT,
                        PathSet.suffix("/zq").union(PathSet.prefix("/vpf/abcdefg/zq")))));
        for (TypeFilter f : filters) {
            h.sensor.installPrefilter(new Prefilter(Map.of(EventType.OPENAT, f)));
            java.util.Set<String> got = new java.util.HashSet<>();
            for (int i = 0; i < paths.size(); i += 500) got.addAll(opened(O_RDONLY, paths.subList(i, Math.min(paths.size(), i + 500))));
            List<String> wrong = new ArrayList<>();
            int passed = 0;
            for (String p : paths) {
                boolean want = f.passes(p, O_RDONLY, -2);
                if (want) passed++;
                if (got.contains(p) != want) wrong.add((want ? "dropped " : "passed ") + p.length() + ":" + p);
            }
            assertThat(wrong).as("kernel against mirror under %s", f).isEmpty();
            assertThat(passed).as("both verdicts occur").isBetween(100, paths.size() - 100);
        }
    }

    /** Unique paths, each a filler that puts a pattern at every offset mod 8, then the pattern; lengths to 256. */
    static List<String> boundaryPaths() {
        String[] tails = {"", "/", "//", "/.", "/..", "/...", "/./", "/../", "/.a", "/a.", "/..a", "/a..", "/a..b", ".", "..",
                          "/zq", "zq", "/a/zq", "/zq/", "/.zq", "/..zq", "/./zq", "//zq", "/zq.", "/abcdefg/zq"};
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        Random rnd = new Random(8);
        for (int pad = 0; pad < 24; pad++) {
            for (String t : tails) {
                out.add("/vpf/" + "x".repeat(pad) + t);
                out.add("/vpf/" + "x".repeat(pad) + t + "/y");
                out.add("vpf/" + "x".repeat(pad) + t);
                out.add("/vpf/" + ".".repeat(pad % 4) + "/" + "x".repeat(pad) + t);
            }
        }
        for (int len = 240; len <= 256; len++) { // the end of the judged range and just past it
            for (String t : tails) {
                String head = "/vpf/abcdefg";
                int fill = len - head.length() - t.length() - 1;
                if (fill >= 0) out.add(head + "/" + "w".repeat(fill) + t);
            }
        }
        String[] parts = {"", ".", "..", "...", "a", "ab", "abcdefg", "abcdefgh", ".a", "a.", "a..b", "zq", "vpf"};
        while (out.size() < 2500) {
            StringBuilder sb = new StringBuilder(rnd.nextInt(4) == 0 ? "" : "/vpf/");
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) sb.append(k == 0 ? "" : "/").append(parts[rnd.nextInt(parts.length)]);
            if (rnd.nextInt(6) == 0) sb.append('/');
            if (sb.length() > 0 && sb.length() <= 256) out.add(sb.toString());
        }
        return new ArrayList<>(out);
    }

    static List<String> opened(int flags, List<String> paths) throws Exception {
        return opened(flags, paths.toArray(String[]::new));
    }

    /** The kernel's "clean" is exactly "user space's normalization leaves it alone": the name tests may use the raw path. */
    @Test
    void aCleanPathIsItsOwnNormalization() {
        Random rnd = new Random(17);
        String[] parts = {"", ".", "..", "...", "a", ".a", "a.", "a..b", "etc", "x y"};
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder(rnd.nextInt(5) == 0 ? "" : "/");
            int n = rnd.nextInt(6);
            for (int k = 0; k < n; k++) sb.append(k == 0 ? "" : "/").append(parts[rnd.nextInt(parts.length)]);
            if (rnd.nextInt(6) == 0) sb.append('/');
            String p = sb.toString();
            RawPath r = RawPath.of(p);
            assertThat(r.clean()).as(p).isEqualTo(p.startsWith("/") && Paths.normalize(p).equals(p));
            assertThat(r.dotdot()).isEqualTo(p.contains(".."));
        }
        assertThat(RawPath.of("/").clean()).isTrue();
        assertThat(RawPath.of("/etc/shadow").clean()).isTrue();
        assertThat(RawPath.of("/root/.ssh/id_rsa").clean()).isTrue();
        assertThat(RawPath.of("/a..b/c").clean()).isTrue();
        assertThat(List.of(RawPath.of("etc").clean(), RawPath.of("/etc/").clean(), RawPath.of("/a/./b").clean(),
                RawPath.of("/a/../b").clean(), RawPath.of("/a//b").clean(), RawPath.of("/a/..").clean())).containsOnly(false);
    }
}
