package dev.vigil.tools.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.perf.Cpus;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.tools.testing.Subjects;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runqlen -C with three spinners pinned to CPU 0: a sample there mostly interrupts a spinner whose run
 * queue holds the two others, so most of CPU 0's samples see a task waiting. A length read wrongly (the
 * field libbpf-tools' CO-RE relocation misses on 6.14+) would show an empty queue.
 */
class RunQLenTest {
    @TempDir
    Path dir;

    @Test
    void threeSpinnersOnCpuZeroKeepItsQueueOccupied() throws Exception {
        KernelTests.assumeKernel();
        Path busy = Subjects.compile(dir, "busy");
        List<Process> spinners = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                spinners.add(Subjects.startReady("taskset", "-c", "0", busy.toString(), "spin"));
            }
            List<RunQLen.Entry> entries;
            long[] cpu0 = new long[RunQLen.SLOTS];
            try (var tool = RunQLen.start(new RunQLen.Options(true, RunQLen.DEFAULT_FREQUENCY))) {
                long deadline = System.nanoTime() + 120_000_000_000L;
                do {
                    tool.awaitStop(Duration.ofMillis(500));
                    entries = RunQLen.drain(tool, true);
                    for (RunQLen.Entry e : entries) {
                        if (e.cpu() == 0) {
                            for (int i = 0; i < RunQLen.SLOTS; i++) {
                                cpu0[i] += e.slots()[i];
                            }
                        }
                    }
                } while (new RunQLen.Entry(0, cpu0).samples() < 100 && System.nanoTime() < deadline);
            }
            assertThat(entries).extracting(RunQLen.Entry::cpu).containsExactlyElementsOf(Cpus.online());
            RunQLen.Entry zero = new RunQLen.Entry(0, cpu0);
            assertThat(zero.occupancy()).as(RunQLen.linear(cpu0, "runqlen")).isGreaterThan(0.5);
            long twoOrMore = 0;
            for (int i = 2; i < RunQLen.SLOTS; i++) {
                twoOrMore += cpu0[i];
            }
            assertThat(twoOrMore).as(RunQLen.linear(cpu0, "runqlen")).isPositive();
        } finally {
            for (Process p : spinners) {
                Subjects.stop(p);
            }
        }
    }
}
