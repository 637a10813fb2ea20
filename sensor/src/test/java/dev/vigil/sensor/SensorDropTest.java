package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A producer faster than the consumer: every lost record is counted, and the counts match what went missing. */
class SensorDropTest {
    @Test
    void countedDropsEqualMissingRecords() throws Exception {
        KernelTests.assumeKernel();
        int n = 50_000;
        try (Sensor s = Sensor.start(Selection.of(EventType.CLOSE), Sensor.Options.defaults().withRingBytes(256 * 1024).withSeed(false))) {
            Process p = new ProcessBuilder(SensorHarness.helper().toString(), "close-loop", String.valueOf(n)).start();
            int pid = Integer.parseInt(new BufferedReader(new InputStreamReader(p.getInputStream())).readLine().trim());
            s.filterPids(Set.of(pid));
            try (OutputStream o = p.getOutputStream()) {
                o.write('\n');
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue(); // nobody reads the ring meanwhile: it overflows
            long[] closes = new long[1];
            while (s.pollOnce(0, ev -> {
                if (ev.type() == EventType.CLOSE && ev.pid() == pid && ev.ret() == -9) closes[0]++;
            }) > 0) { }
            Sensor.DropReport d = s.drops();
            assertThat(d.total()).isPositive();
            assertThat(closes[0] + d.perKind()[SyscallTable.of(EventType.CLOSE).kind()]).isEqualTo(n);
            assertThat(s.missingRecords()).isEqualTo(d.total());
        }
    }
}
