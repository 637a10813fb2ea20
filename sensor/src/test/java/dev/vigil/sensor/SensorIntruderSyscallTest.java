package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syscalls appended for what intruders do besides files, sockets and processes (setsid/setpgid, mmap and
 * mprotect, pipes, socketpair, fcntl's dup, pidfds, process_vm_readv, seccomp, io_uring_setup), from one real
 * helper that makes each once: every event with its return value and arguments. mmap and mprotect are not in
 * Selection.all(): a sensor selecting them by name.
 */
class SensorIntruderSyscallTest {
    @TempDir Path dir;

    @Test
    void eachAppendedSyscallIsReportedWithItsArguments() throws Exception {
        KernelTests.assumeKernel();
        assertThat(Selection.all().types()).doesNotContain(EventType.MMAP, EventType.MPROTECT).contains(EventType.SETSID, EventType.FCNTL);
        List<EventType> types = List.of(EventType.SETSID, EventType.SETPGID, EventType.MMAP, EventType.MPROTECT, EventType.PIPE,
                EventType.PIPE2, EventType.SOCKETPAIR, EventType.FCNTL, EventType.PIDFD_OPEN, EventType.PIDFD_GETFD,
                EventType.PROCESS_VM_READV, EventType.SECCOMP, EventType.IO_URING_SETUP, EventType.OPENAT, EventType.PROCEXIT);
        Path f = Files.writeString(dir.resolve("f.txt"), "x");
        SensorHarness.helper();
        try (SensorHarness h = new SensorHarness(Selection.of(types))) {
            SensorHarness.Run r = SensorHarness.run("intruder", f.toString());
            String[] o = r.out().strip().split(" ");
            long pid = r.pid();
            h.await(e -> SensorHarness.is(e, EventType.PROCEXIT, pid));
            Event dup = one(h, EventType.FCNTL, pid);
            assertThat(dup.rawRes()).isEqualTo(Long.parseLong(o[1]));
            assertThat(dup.argLong(dup.type().slotOf("cmd"))).isEqualTo(1030); // F_DUPFD_CLOEXEC
            assertThat(String.valueOf(dup.fd().name())).isEqualTo(f.toString());
            assertThat(one(h, EventType.SETPGID, pid).rawRes()).isZero();
            assertThat(one(h, EventType.SETSID, pid).rawRes()).isEqualTo(-1); // EPERM: a group leader
            // the loader's mprotects (read-only relocations) come first; the helper's is the write+exec one
            assertThat(h.events.stream().filter(e -> SensorHarness.is(e, EventType.MPROTECT, pid)
                    && e.argLong(e.type().slotOf("prot")) == 7 && e.argLong(e.type().slotOf("length")) == 4096)).hasSize(1);
            assertThat(h.events.stream().filter(e -> SensorHarness.is(e, EventType.MMAP, pid)
                    && e.argLong(e.type().slotOf("prot")) == 3 && e.argLong(e.type().slotOf("length")) == 4096)).isNotEmpty();
            assertThat(one(h, EventType.PIPE, pid).rawRes()).isZero();
            Event p2 = one(h, EventType.PIPE2, pid);
            assertThat(p2.argLong(p2.type().slotOf("flags"))).isEqualTo(02000000);
            Event sp = one(h, EventType.SOCKETPAIR, pid);
            assertThat(sp.rawRes()).isZero();
            assertThat(sp.argLong(sp.type().slotOf("domain"))).isEqualTo(1); // AF_UNIX
            Event pidfd = one(h, EventType.PIDFD_OPEN, pid);
            assertThat(pidfd.rawRes()).isEqualTo(Long.parseLong(o[9]));
            assertThat(pidfd.argLong(pidfd.type().slotOf("pid"))).isEqualTo(pid);
            Event getfd = one(h, EventType.PIDFD_GETFD, pid);
            assertThat(getfd.rawRes()).isEqualTo(Long.parseLong(o[10]));
            assertThat(getfd.argLong(getfd.type().slotOf("target_fd"))).isEqualTo(Long.parseLong(o[0]));
            Event vm = one(h, EventType.PROCESS_VM_READV, pid);
            assertThat(vm.rawRes()).isEqualTo(Long.parseLong(o[11]));
            assertThat(vm.argLong(vm.type().slotOf("pid"))).isEqualTo(pid);
            Event sc = one(h, EventType.SECCOMP, pid);
            assertThat(sc.rawRes()).isEqualTo(Long.parseLong(o[12]));
            assertThat(sc.argLong(sc.type().slotOf("op"))).isEqualTo(2);
            Event ur = one(h, EventType.IO_URING_SETUP, pid);
            assertThat(ur.rawRes()).isEqualTo(Long.parseLong(o[13]) < 0 ? ur.rawRes() : Long.parseLong(o[13]));
            assertThat(ur.argLong(ur.type().slotOf("entries"))).isEqualTo(1);
        }
    }

    static Event one(SensorHarness h, EventType t, long pid) {
        // the helper's own (the JVM's spawn helper runs first under the same pid, with fcntls of its own)
        List<Event> l = h.events.stream().filter(e -> SensorHarness.is(e, t, pid) && "sensor_helper".contentEquals(e.process().name())).toList();
        assertThat(l).as(t.falcoName()).hasSize(1);
        return l.getFirst();
    }
}
