package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** stop() silences the kernel programs at once, while they stay attached until close(). */
class SensorStopTest {

    static void catHostname() throws Exception {
        Process p = new ProcessBuilder("cat", "/etc/hostname").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void afterStopNothingIsEmitted() throws Exception {
        KernelTests.assumeKernel();
        try (Sensor s = Sensor.start(Selection.of(EventType.OPENAT, EventType.EXECVE))) {
            AtomicLong seen = new AtomicLong();
            Thread t = Thread.ofPlatform().start(() -> s.run(ev -> seen.incrementAndGet()));
            catHostname();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen.get() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(seen.get()).as("events while running").isPositive();

            s.stop();
            t.join(5000);
            long received = s.recordsReceived();
            assertThat(s.missingRecords()).as("gaps %d, drops %d", s.sequenceGaps(), s.droppedTotal()).isZero();
            for (int i = 0; i < 5; i++) catHostname();
            // the kernel's per-CPU emission counters did not move: nothing was even attempted
            assertThat(s.missingRecords()).isZero();
            assertThat(s.recordsReceived()).isEqualTo(received);
        }
    }
}
