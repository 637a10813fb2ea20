package dev.vigil.tools.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.symbol.PerfMap;
import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.flamegraph.FlameGraphSvg;
import dev.vigil.tools.flamegraph.FoldedStacks;
import dev.vigil.tools.stacks.StackPrinter;
import dev.vigil.tools.stacks.StackSample;
import dev.vigil.tools.testing.Subjects;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** profile on a program spinning in a known function, and on a JVM whose JIT wrote a perf map. */
class ProfileTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();

    @TempDir
    Path dir;

    /** Samples until the subject has {@code want} of them (bounded by a generous deadline, not timed). */
    private static List<StackSample> profile(int pid, int want) throws Exception {
        try (Profile p = Profile.start(new Profile.Options(new ToolFilters(pid, null, null, null), 99, false, false, false))) {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (p.sampleCount() < want && System.nanoTime() < deadline) {
                p.tool().awaitStop(java.time.Duration.ofMillis(100));
            }
            assertThat(p.missed()).isZero();
            return p.samples(new Symbolizer());
        }
    }

    @Test
    void theSpinningFunctionDominatesTheFoldedOutputAndTheFlameGraph() throws Exception {
        KernelTests.assumeKernel();
        Path busy = Subjects.compile(dir, "busy");
        Process subject = Subjects.startReady(busy.toString(), "spin");
        List<StackSample> samples;
        try {
            samples = profile((int) subject.pid(), 60);
        } finally {
            Subjects.stop(subject);
        }
        long total = samples.stream().mapToLong(StackSample::value).sum();
        assertThat(total).isGreaterThanOrEqualTo(60);
        assertThat(samples).allMatch(s -> s.key().tgid() == subject.pid()); // -p filtered in the kernel
        long inSpin = samples.stream().filter(s -> "spin_here".equals(s.leafUserFunction())).mapToLong(StackSample::value).sum();
        assertThat(inSpin).as("samples in spin_here of " + total).isGreaterThanOrEqualTo(total * 8 / 10);
        // frame pointers: the kernel walked past spin_here into main
        assertThat(samples.getLast().user()).extracting(Symbolizer.Frame::name).containsSubsequence("spin_here", "main");

        StackPrinter printer = new StackPrinter(true, true, false, false);
        StringWriter folded = new StringWriter();
        printer.writeFolded(folded, samples);
        assertThat(folded.toString()).containsPattern("(?m)^busy;.*main;spin_here \\d+$");

        FoldedStacks stacks = printer.toFoldedStacks(samples);
        StringWriter svg = new StringWriter();
        FlameGraphSvg.write(svg, stacks, FlameGraphSvg.Options.of("CPU", "samples"));
        Matcher m = Pattern.compile("<title>spin_here \\(([0-9,]+) samples, ([0-9.]+)%\\)</title>").matcher(svg.toString());
        assertThat(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(2))).isGreaterThanOrEqualTo(80.0);

        StringWriter listing = new StringWriter();
        printer.list(listing, samples.getLast());
        assertThat(listing.toString()).contains("    spin_here\n", "    main\n", "busy (" + subject.pid() + ")");
    }

    @Test
    void aJvmMethodIsNamedFromTheJitsPerfMap() throws Exception {
        KernelTests.assumeKernel();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                Subjects.source("java-subjects/Spin.java").toString());
        assertThat(rc).isZero();
        Process jvm = Subjects.startReady(JAVA, "-XX:TieredStopAtLevel=1", "-cp", classes.toString(), "Spin");
        Path perfMap = PerfMap.pathFor((int) jvm.pid());
        try {
            List<StackSample> samples;
            try (Profile p = Profile.start(new Profile.Options(new ToolFilters((int) jvm.pid(), null, null, null), 99, true, false, false))) {
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (p.sampleCount() < 40 && System.nanoTime() < deadline) {
                    p.tool().awaitStop(java.time.Duration.ofMillis(100));
                }
                Subjects.run(JCMD, Long.toString(jvm.pid()), "Compiler.perfmap"); // writes /tmp/perf-PID.map
                samples = p.samples(new Symbolizer());
            }
            long total = samples.stream().mapToLong(StackSample::value).sum();
            long inMethod = samples.stream().filter(s -> s.leafUserFunction() != null && s.leafUserFunction().contains("Spin.spinJava"))
                    .mapToLong(StackSample::value).sum();
            assertThat(inMethod).as("samples in Spin.spinJava of " + total).isGreaterThanOrEqualTo(total / 2);
            assertThat(samples.getLast().user().getFirst().module()).isEqualTo("[jit]");
            String folded = String.join(";", new StackPrinter(true, false, false, true).folded(samples.getLast(), false));
            assertThat(folded).contains("Spin.spinJava(long)_[j]");
        } finally {
            Subjects.stop(jvm);
            Files.deleteIfExists(perfMap);
        }
    }

    @Test
    void badOptionsSayWhich() {
        assertThatThrownBy(() -> new Profile.Options(ToolFilters.NONE, 0, false, false, false)).hasMessageContaining("-F");
        assertThatThrownBy(() -> new Profile.Options(ToolFilters.NONE, 49, true, true, false)).hasMessageContaining("-U and -K");
    }
}
