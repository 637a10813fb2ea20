package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** proc.vpid comes from the records: a process in a new pid namespace is 1 there, on its very first events. */
class SensorPidNamespaceTest {

    @Test
    void aProcessInANewPidNamespaceHasVpidOne() throws Exception {
        KernelTests.assumeKernel();
        try (SensorHarness h = new SensorHarness(Selection.of(EventType.OPENAT, EventType.EXECVE, EventType.CLONE))) {
            // unshare forks cat into the new namespace, where cat is pid 1; cat exits at once, so nothing
            // could have read /proc for it afterwards
            Process p = new ProcessBuilder("unshare", "--pid", "--fork", "cat", "/etc/hostname")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();

            Event exec = h.await(e -> e.type() == EventType.EXECVE && e.process() != null
                    && "cat".contentEquals(e.process().name()) && e.process().ppid() != SensorHarness.JVM);
            long pid = exec.process().pid();
            assertThat(pid).isNotEqualTo(1);
            assertThat(exec.process().vpid()).isEqualTo(1);
            Event open = h.await(e -> e.type() == EventType.OPENAT && e.process() != null && e.process().pid() == pid
                    && e.fd() != null && "/etc/hostname".contentEquals(e.fd().name()));
            assertThat(open.process().vpid()).isEqualTo(1);

            // unshare itself stays in the host's namespace: its vpid is its pid
            Event host = h.await(e -> e.process() != null && e.process().pid() == p.pid());
            assertThat(host.process().vpid()).isEqualTo(p.pid());
        }
    }
}
