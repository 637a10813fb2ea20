package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import java.util.concurrent.TimeUnit;
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
            long[] helperPid = {-1};
            Thread reader = Thread.ofPlatform().start(() -> s.run(ev -> {
                maxSize[0] = Math.max(maxSize[0], t.size());
                ProcessEntry p = ev.processEntry();
                if (p != null && p.ppid == helperPid[0]) exits[0]++;
            }));
            Process p = new ProcessBuilder(SensorHarness.helper().toString(), "churn", String.valueOf(n)).start();
            helperPid[0] = p.pid();
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
}
