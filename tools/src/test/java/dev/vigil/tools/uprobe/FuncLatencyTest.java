package dev.vigil.tools.uprobe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Subjects;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * funclatency by uprobe on a test binary's own function (PROG:FUNC) and on libc's nanosleep as mapped into
 * that process (LIB:FUNC), each called a known number of times with a known sleep: exactly that many calls
 * are counted, none faster than the sleep.
 */
class FuncLatencyTest {
    @TempDir
    Path dir;

    @Test
    void aBinarysFunctionAndLibcsNanosleepWithKnownSleeps() throws Exception {
        KernelTests.assumeKernel();
        Path bin = Subjects.compile(dir, "slowcall");
        Process p = Subjects.startReady(bin.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            int pid = (int) p.pid();
            ToolFilters onlySubject = new ToolFilters(pid, null, null, null);

            FuncLatency.Target own = FuncLatency.Target.parse(bin + ":vigil_slow_call", pid);
            Log2Histogram ms;
            try (BpfTool tool = FuncLatency.start(new FuncLatency.Options(onlySubject, own, FuncLatency.Unit.MSECS))) {
                assertThat(tool.variant()).isEqualTo("uprobe");
                call(in, out, 20, 5, 0);
                ms = FuncLatency.drain(tool);
            }
            assertThat(ms.total()).isEqualTo(5);
            assertThat(ms.buckets()).filteredOn(b -> b.count() > 0).allMatch(b -> b.low() >= 16); // 20 ms: the 16-31 slot or later

            FuncLatency.Target libc = FuncLatency.Target.parse("c:nanosleep", pid);
            assertThat(libc.binary().getFileName().toString()).startsWith("libc");
            Log2Histogram us;
            try (BpfTool tool = FuncLatency.start(new FuncLatency.Options(onlySubject, libc, FuncLatency.Unit.USECS))) {
                call(in, out, 5, 3, 5);
                us = FuncLatency.drain(tool);
            }
            assertThat(us.total()).isEqualTo(3);
            assertThat(us.buckets()).filteredOn(b -> b.count() > 0).allMatch(b -> b.low() >= 4096); // 5,000 us
        } finally {
            Subjects.stop(p);
        }
        if (!FeatureProbe.probe().supports(Feature.KPROBE)) { // a kernel function needs kprobes: one line says so
            assertThatThrownBy(() -> FuncLatency.start(new FuncLatency.Options(ToolFilters.NONE,
                    FuncLatency.Target.parse("vfs_read", null), FuncLatency.Unit.NSECS)))
                    .isInstanceOf(BpfTool.HookUnavailableException.class).hasMessageContaining("funclatency cannot run on this kernel");
        }
        assertThatThrownBy(() -> FuncLatency.Target.parse(":main", null)).hasMessageContaining("no -p was given");
    }

    /** Asks the subject for {@code n} calls of {@code ms} and waits for each to be done. */
    private static void call(Writer in, BufferedReader out, int ms, int n, int before) throws Exception {
        for (int i = 1; i <= n; i++) {
            in.write(ms + "\n");
            in.flush();
            assertThat(out.readLine()).isEqualTo("done " + (before + i));
        }
    }
}
