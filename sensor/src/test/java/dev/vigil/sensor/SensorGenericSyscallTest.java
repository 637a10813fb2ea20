package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Syscalls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #10's syscalls (ioctl, mknod, mknodat, keyctl, sendfile, splice, close_range, io_uring_enter) and Falco's generic
 * event (umask and getppid, which Vigil has no decoder for, selected by number), from one real helper that makes
 * each once: every event with the return value the helper saw and its arguments; close_range takes the fds out of
 * the table; the generic events name their syscall and carry the raw arguments.
 */
class SensorGenericSyscallTest {
    @TempDir Path dir;

    @Test
    void decodedAndGenericSyscallsAreReportedWithTheirResults() throws Exception {
        KernelTests.assumeKernel();
        List<EventType> types = List.of(EventType.IOCTL, EventType.MKNOD, EventType.MKNODAT, EventType.KEYCTL, EventType.SENDFILE,
                EventType.SPLICE, EventType.CLOSE_RANGE, EventType.IO_URING_ENTER, EventType.OPEN, EventType.OPENAT, EventType.DUP2,
                EventType.PROCEXIT);
        int umask = Syscalls.number("umask"), getppid = Syscalls.number("getppid");
        assertThat(SyscallTable.byNr(umask)).as("umask has no decoder: the generic event is what this test proves").isNull();
        Selection sel = Selection.of(types, List.of(umask, getppid));
        assertThat(sel.types()).contains(EventType.SYSCALL);
        assertThat(Selection.parse("ioctl,umask").generic()).containsExactly(umask);
        SensorHarness.helper();
        try (SensorHarness h = new SensorHarness(sel)) {
            SensorHarness.Run r = SensorHarness.run("generic", dir.toString());
            String[] o = r.out().strip().split(" ");
            long pid = r.pid();
            h.await(e -> SensorHarness.is(e, EventType.PROCEXIT, pid));
            String in = dir.resolve("in.txt").toString();

            List<Event> ioctls = all(h, EventType.IOCTL, pid);
            assertThat(ioctls).hasSize(3);
            Event io = ioctls.get(0);
            assertThat(io.rawRes()).isEqualTo(Long.parseLong(o[1]));
            assertThat(io.argLong(io.type().slotOf("fd"))).isEqualTo(Long.parseLong(o[0]));
            assertThat(io.argLong(io.type().slotOf("request"))).isEqualTo(0x541B); // FIONREAD
            assertThat(String.valueOf(io.fd().name())).isEqualTo(in);
            assertThat(String.valueOf(ioctls.get(1).fd().name())).as("fd 205 before close_range").isEqualTo(in);
            assertThat(ioctls.get(2).rawRes()).isEqualTo(-Long.parseLong(o[12]));
            assertThat(ioctls.get(2).fd()).as("fd 205 after close_range(200, 210)").isNull();

            Event mk = one(h, EventType.MKNOD, pid);
            assertThat(mk.rawRes()).isEqualTo(Long.parseLong(o[2]));
            assertThat(String.valueOf(mk.argStr(mk.type().slotOf("path")))).isEqualTo(dir.resolve("fifo1").toString());
            assertThat(mk.argLong(mk.type().slotOf("mode"))).isEqualTo(0010600);
            Event mka = one(h, EventType.MKNODAT, pid);
            assertThat(mka.rawRes()).isEqualTo(Long.parseLong(o[3]));
            assertThat(String.valueOf(mka.argStr(mka.type().slotOf("path")))).isEqualTo(dir.resolve("fifo2").toString());
            assertThat(mka.argLong(mka.type().slotOf("mode"))).isEqualTo(0010640);

            Event kc = one(h, EventType.KEYCTL, pid);
            assertThat(kc.rawRes()).isEqualTo(Long.parseLong(o[4]) < 0 ? kc.rawRes() : Long.parseLong(o[4]));
            assertThat(kc.rawRes() < 0).isEqualTo(Long.parseLong(o[4]) < 0);
            assertThat(kc.argLong(kc.type().slotOf("arg2"))).isEqualTo(-2);

            Event sf = one(h, EventType.SENDFILE, pid);
            assertThat(sf.rawRes()).isEqualTo(Long.parseLong(o[6]));
            assertThat(sf.argLong(sf.type().slotOf("in_fd"))).isEqualTo(Long.parseLong(o[0]));
            assertThat(sf.argLong(sf.type().slotOf("out_fd"))).isEqualTo(Long.parseLong(o[5]));
            assertThat(String.valueOf(sf.fd().name())).isEqualTo(dir.resolve("out.txt").toString());
            Event sp = one(h, EventType.SPLICE, pid);
            assertThat(sp.rawRes()).isEqualTo(Long.parseLong(o[7]));
            assertThat(sp.argLong(sp.type().slotOf("size"))).isEqualTo(3);
            assertThat(sp.argLong(sp.type().slotOf("fd_in"))).isEqualTo(Long.parseLong(o[0]));

            Event cr = one(h, EventType.CLOSE_RANGE, pid);
            assertThat(cr.rawRes()).isEqualTo(Long.parseLong(o[10]));
            assertThat(cr.argLong(cr.type().slotOf("first"))).isEqualTo(200);
            assertThat(cr.argLong(cr.type().slotOf("last"))).isEqualTo(210);
            Event ue = one(h, EventType.IO_URING_ENTER, pid);
            assertThat(ue.rawRes()).isEqualTo(-Long.parseLong(o[14]));
            assertThat(ue.argLong(ue.type().slotOf("fd"))).isEqualTo(-1);

            List<Event> umasks = h.events.stream().filter(e -> SensorHarness.is(e, EventType.SYSCALL, pid)
                    && e.syscallNr() == umask).toList();
            assertThat(umasks).hasSize(2);
            assertThat(umasks.get(0).typeName()).isEqualTo("umask");
            assertThat(String.valueOf(umasks.get(0).argStr(0))).isEqualTo("umask"); // ID
            assertThat(umasks.get(0).argLong(2)).isEqualTo(027); // arg0
            assertThat(umasks.get(1).rawRes()).isEqualTo(Long.parseLong(o[16])).isEqualTo(027);
            assertThat(umasks.get(1).matchId()).isEqualTo(EventType.matchIdOf(umask));
            Event pp = h.events.stream().filter(e -> SensorHarness.is(e, EventType.SYSCALL, pid) && e.syscallNr() == getppid)
                    .findFirst().orElseThrow();
            assertThat(pp.rawRes()).isEqualTo(SensorHarness.JVM).isEqualTo(Long.parseLong(o[17]));
            assertThat(h.events.stream().filter(e -> e.type() == EventType.SYSCALL).allMatch(e -> e.syscallNr() == umask
                    || e.syscallNr() == getppid)).as("only the selected syscalls").isTrue();
        }
    }

    private static List<Event> all(SensorHarness h, EventType t, long pid) {
        return h.events.stream().filter(e -> SensorHarness.is(e, t, pid) && "sensor_helper".contentEquals(e.process().name())).toList();
    }

    private static Event one(SensorHarness h, EventType t, long pid) {
        return SensorIntruderSyscallTest.one(h, t, pid);
    }
}
