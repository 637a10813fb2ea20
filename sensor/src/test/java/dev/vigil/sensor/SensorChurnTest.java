package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Real process churn: the table stays bounded by live processes + maxExited however many come and go. */
class SensorChurnTest {
    @Test
    void twoThousandShortLivedProcessesKeepTheTableBounded() throws Exception {
        KernelTests.assumeKernel();
        int n = 2000, maxExited = 256;
        Sensor.Options d = Sensor.Options.defaults();
        Sensor.Options o = new Sensor.Options(d.ringBytes(), maxExited, d.graceNanos(), true, d.procRoot());
        try (Sensor s = Sensor.start(Selection.of(EventType.PROCEXIT), o)) {
            ProcessTable t = s.processTable();
            int startSize = t.size();
            int[] maxSize = {0};
            long[] exits = {0};
            AtomicLong helperPid = new AtomicLong(-1);
            Thread reader = Thread.ofPlatform().start(() -> s.run(ev -> {
                maxSize[0] = Math.max(maxSize[0], t.size());
                ProcessEntry p = ev.processEntry();
                if (p != null && p.ppid == helperPid.get()) exits[0]++;
            }));
            Process p = new ProcessBuilder(SensorHarness.helper().toString(), "churn", String.valueOf(n)).start();
            // the helper forks only once its pid is known to the reader (else its first children are missed)
            helperPid.set(p.pid());
            try (var in = p.getOutputStream()) {
                in.write('\n');
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (exits[0] < n && System.nanoTime() < deadline) Thread.sleep(10);
            s.stop();
            reader.join(5000);
            assertThat(s.droppedTotal()).isZero();
            assertThat(exits[0]).as("exits of the helper's children").isEqualTo(n);
            // live processes at start, plus the exited ones kept, plus slack for what else runs on the machine
            assertThat(maxSize[0]).isLessThanOrEqualTo(startSize + maxExited + 200);
            assertThat(t.exitedCount()).isLessThanOrEqualTo(maxExited);
            assertThat(t.evictedCount()).isGreaterThanOrEqualTo(n - maxExited);
        }
    }

    static int liveProcesses() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
            return (int) s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }

    /**
     * The figure: 100,000 real processes (vfork + _exit in a loop, the cheapest real process) with the
     * sensor running. Every fork and exit record must arrive, the table must never exceed the live processes
     * plus maxExited, and all but the last maxExited children must be gone from it. 9-18 s here (2 cores, depending on load).
     */
    @Test
    void hundredThousandRealProcessesKeepTheTableBounded() throws Exception {
        KernelTests.assumeKernel();
        int n = 100_000, maxExited = 256;
        Sensor.Options d = Sensor.Options.defaults();
        Sensor.Options o = new Sensor.Options(d.ringBytes(), maxExited, d.graceNanos(), true, d.procRoot());
        try (Sensor s = Sensor.start(Selection.of(EventType.PROCEXIT, EventType.CLONE), o)) {
            ProcessTable t = s.processTable();
            int startSize = t.size();
            int[] maxSize = {0};
            long[] forks = {0}, exits = {0};
            AtomicLong helperPid = new AtomicLong(-1);
            int[] children = new int[n];
            Thread reader = Thread.ofPlatform().start(() -> s.run(ev -> {
                maxSize[0] = Math.max(maxSize[0], t.size());
                ProcessEntry p = ev.processEntry();
                if (ev.type() == EventType.CLONE && ev.pid() == helperPid.get()) forks[0]++;
                if (ev.type() == EventType.PROCEXIT && p != null && p.ppid == helperPid.get() && exits[0] < n) {
                    children[(int) exits[0]++] = ev.pid();
                }
            }));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(SensorHarness.helper().toString(), "vchurn", String.valueOf(n)).start();
            // the helper forks only once its pid is known to the reader (else its first children are missed)
            helperPid.set(p.pid());
            try (var in = p.getOutputStream()) {
                in.write('\n');
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("helper finished").isTrue();
            assertThat(p.exitValue()).isZero();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (exits[0] < n && System.nanoTime() < deadline) Thread.sleep(10);
            long elapsed = System.nanoTime() - t0;
            s.stop();
            reader.join(5000);
            System.out.printf("real churn: %d processes in %.1f s (%.0f/s), table max %d (start %d), evicted %d%n",
                    n, elapsed / 1e9, n / (elapsed / 1e9), maxSize[0], startSize, t.evictedCount());
            assertThat(s.droppedTotal()).isZero();
            assertThat(forks[0]).as("fork records of the helper").isEqualTo(n);
            assertThat(exits[0]).as("exits of the helper's children").isEqualTo(n);
            // the stated bound, live processes + maxExited; live taken at start and end (other work on the
            // machine may start processes meanwhile), plus slack for what starts and ends in between
            int live = Math.max(startSize, liveProcesses());
            assertThat(maxSize[0]).isLessThanOrEqualTo(live + maxExited + 200);
            assertThat(t.exitedCount()).isLessThanOrEqualTo(maxExited);
            assertThat(t.evictedCount()).isGreaterThanOrEqualTo(n - maxExited);
            // evicted for real: of the children, at most the last maxExited can still be in the table
            int kept = 0;
            for (int c : children) {
                ProcessEntry e = t.get(c);
                if (e != null && e.ppid == helperPid.get()) kept++;
            }
            assertThat(kept).isLessThanOrEqualTo(maxExited);
        }
    }
}
