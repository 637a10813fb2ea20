package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Vigil's own children (a test's actions, the agent's helpers) are traced like any process: their fork record is
 * what gives them a start time, so proc.duration is known for them (it was absent, and "not proc_is_new" then held
 * for a process a millisecond old). The fork record itself, an event of Vigil's own process, is not delivered.
 */
class SensorOwnChildrenTest {
    @Test
    void aChildOfVigilHasItsStartTimeAndVigilsForkIsNotAnEvent() throws Exception {
        KernelTests.assumeKernel();
        SensorHarness.helper();
        try (SensorHarness h = new SensorHarness(Selection.of(List.of(EventType.CLONE, EventType.VFORK, EventType.CLONE3,
                EventType.EXECVE, EventType.PROCEXIT)))) {
            long before = System.currentTimeMillis() * 1_000_000L;
            SensorHarness.Run r = SensorHarness.run("open-abs", "/etc/hostname");
            long after = System.currentTimeMillis() * 1_000_000L;
            Event exec = h.await(e -> SensorHarness.is(e, EventType.EXECVE, r.pid()) && e.process().name().toString().equals("sensor_helper"));
            assertThat(exec.process().ppid()).isEqualTo(SensorHarness.JVM);
            // start times are kernel clock readings converted to wall time: a millisecond either side for the conversion
            assertThat(exec.process().startTs()).isBetween(before - 1_000_000L, after + 1_000_000L);
            h.await(e -> SensorHarness.is(e, EventType.PROCEXIT, r.pid()));
        }
        // the JVM's own fork records reach the table, not a consumer (the kernel emits them now)
        java.util.concurrent.atomic.AtomicInteger own = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong childExec = new java.util.concurrent.atomic.AtomicLong(-1);
        try (Sensor s = Sensor.start(Selection.of(List.of(EventType.CLONE, EventType.VFORK, EventType.CLONE3, EventType.EXECVE)))) {
            Thread t = Thread.ofPlatform().start(() -> s.run(ev -> {
                if (ev.pid() == SensorHarness.JVM) own.incrementAndGet();
                if (ev.type() == EventType.EXECVE && ev.process() != null && ev.process().ppid() == SensorHarness.JVM
                        && "sensor_helper".contentEquals(ev.process().name())) {
                    childExec.set(ev.pid());
                }
            }));
            SensorHarness.Run r = SensorHarness.run("open-abs", "/etc/hostname");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (childExec.get() != r.pid() && System.nanoTime() < deadline) Thread.sleep(5);
            s.stop();
            t.join(5000);
            assertThat(childExec.get()).as("the child's exec, after the JVM's fork of it").isEqualTo(r.pid());
        }
        assertThat(own.get()).as("events of the JVM itself").isZero();
    }
}
