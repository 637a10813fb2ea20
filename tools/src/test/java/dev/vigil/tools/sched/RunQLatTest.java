package dev.vigil.tools.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Subjects;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runqlat with three spinners pinned to one CPU: each waits for the others' slices, milliseconds at a time. */
class RunQLatTest {
    @TempDir
    Path dir;

    @Test
    void threeSpinnersOnOneCpuWaitMilliseconds() throws Exception {
        KernelTests.assumeKernel();
        Path busy = Subjects.compile(dir, "busy");
        List<Process> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                spinners.add(Subjects.startReady("taskset", "-c", "0", busy.toString(), "spin"));
            }
            int pid = (int) spinners.getFirst().pid();
            var options = new RunQLat.Options(new ToolFilters(pid, null, null, null), true, false, false);
            List<RunQLat.Entry> entries;
            long elapsedUs;
            try (var tool = RunQLat.start(options)) {
                long started = System.nanoTime();
                long deadline = started + 120_000_000_000L;
                long total = 0;
                List<RunQLat.Entry> seen = new ArrayList<>();
                while ((total < 50 || System.nanoTime() - started < 2_000_000_000L) && System.nanoTime() < deadline) {
                    tool.awaitStop(Duration.ofMillis(500));
                    seen.addAll(RunQLat.drain(tool));
                    total = seen.stream().mapToLong(e -> e.histogram().total()).sum();
                }
                seen.addAll(RunQLat.drain(tool));
                elapsedUs = (System.nanoTime() - started) / 1000;
                entries = seen;
                assertThat(tool.variant()).isEqualTo("tp_btf");
            }
            assertThat(entries).isNotEmpty().allMatch(e -> e.key() == pid && e.comm().equals("busy")); // -p, -P
            long[] slots = new long[Log2Histogram.SLOTS];
            for (RunQLat.Entry e : entries) {
                long[] s = e.histogram().slots();
                for (int i = 0; i < s.length; i++) {
                    slots[i] += s[i];
                }
            }
            Log2Histogram h = Log2Histogram.of(slots);
            long waitedAtLeastUs = 0; // each wait counted at its bucket's low end: a lower bound
            for (Log2Histogram.Bucket b : h.buckets()) {
                waitedAtLeastUs += b.low() * b.count();
            }
            // three spinners on one CPU: each waits for the two others, about 2/3 of the time (1/3 at bucket lows);
            // microseconds summed wrongly (ns, ms) or waits missed would land far from that
            assertThat(waitedAtLeastUs).as(h.format("usecs") + " over " + elapsedUs + " us")
                    .isGreaterThanOrEqualTo(elapsedUs / 5).isLessThanOrEqualTo(elapsedUs);
        } finally {
            for (Process p : spinners) {
                Subjects.stop(p);
            }
        }
    }
}
