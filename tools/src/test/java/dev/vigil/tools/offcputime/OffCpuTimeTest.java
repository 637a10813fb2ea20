package dev.vigil.tools.offcputime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.stacks.StackSample;
import dev.vigil.tools.testing.Subjects;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** offcputime on a thread that sleeps in a known function. */
class OffCpuTimeTest {
    @TempDir
    Path dir;

    @Test
    void theSleepingFunctionHoldsTheOffCpuTime() throws Exception {
        KernelTests.assumeKernel();
        Process subject = Subjects.startReady(Subjects.compile(dir, "busy").toString(), "sleep");
        List<StackSample> stacks;
        String variant;
        try (OffCpuTime t = OffCpuTime.start(OffCpuTime.Options.defaults(new ToolFilters((int) subject.pid(), null, null, null)))) {
            variant = t.tool().variant();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (t.totalMicros() < 300_000 && System.nanoTime() < deadline) { // 0.3 s asleep in 5 ms naps
                t.tool().awaitStop(Duration.ofMillis(100));
            }
            stacks = t.stacks(new Symbolizer());
            assertThat(t.missed()).isZero();
        } finally {
            Subjects.stop(subject);
        }
        assertThat(variant).isEqualTo("tp_btf");
        long total = stacks.stream().mapToLong(StackSample::value).sum();
        assertThat(total).isGreaterThanOrEqualTo(300_000);
        assertThat(stacks).allMatch(s -> s.key().tgid() == subject.pid());
        StackSample top = stacks.getLast();
        assertThat(top.value()).isGreaterThanOrEqualTo(total * 9 / 10);
        assertThat(top.user()).extracting(Symbolizer.Frame::name).containsSubsequence("sleep_here", "main");
        assertThat(top.kernel()).extracting(Symbolizer.Frame::name).contains("schedule").anyMatch(n -> n.contains("nanosleep"));
    }

    @Test
    void badOptionsSayWhich() {
        ToolFilters f = ToolFilters.NONE;
        assertThatThrownBy(() -> new OffCpuTime.Options(f, true, true, false, false, 1, 10, -1)).hasMessageContaining("-u and -k");
        assertThatThrownBy(() -> new OffCpuTime.Options(f, false, false, false, false, 10, 1, -1)).hasMessageContaining("-m MIN_BLOCK_TIME (10)");
        assertThatThrownBy(() -> new OffCpuTime.Options(f, false, false, false, false, 1, 10, -5)).hasMessageContaining("--state");
    }
}
