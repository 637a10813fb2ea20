package dev.vigil.sensor;

import static dev.vigil.sensor.SensorHarness.is;
import static dev.vigil.sensor.SensorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** File syscalls of real children: absolute, cwd-relative and dirfd-relative paths, failures. */
class SensorFileTest extends SharedSensorTest {

    /** glibc's open() is openat(2) and its creat() may be too: accept the family. */
    static boolean opened(Event ev, long pid, String path) {
        return ev.type().isOpen() && ev.process() != null && ev.process().pid() == pid && ev.fd() != null
                && path.equals(String.valueOf(ev.fd().name()));
    }

    @Test
    void openAbsolute() throws Exception {
        Path f = Files.writeString(dir.resolve("abs.txt"), "x");
        var r = run("open-abs", f.toString());
        Event e = h.await(ev -> opened(ev, r.pid(), f.toString()));
        assertThat(e.argStr(e.type().slotOf("name")).toString()).isEqualTo(f.toString());
        assertThat(e.rawRes()).isEqualTo(3);
        assertThat(e.fd().name().toString()).isEqualTo(f.toString());
        assertThat(e.fd().type()).isEqualTo(FdType.FILE);
        assertThat(e.process().name().toString()).isEqualTo("sensor_helper");
        assertThat(e.process().exePath().toString()).isEqualTo(SensorHarness.helper().toString());
    }

    @Test
    void openMissingIsEnoent() throws Exception {
        String missing = dir.resolve("missing.txt").toString();
        var r = run("open-abs", missing);
        Event e = h.await(ev -> opened(ev, r.pid(), missing));
        assertThat(e.rawRes()).isEqualTo(-2);
        assertThat(e.fd().num()).isEqualTo(-1);
        assertThat(e.fd().name().toString()).isEqualTo(missing);
    }

    @Test
    void openatRelativeToCwd() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/rel.txt"), "x");
        var r = run("open-rel", dir.resolve("sub").toString(), "../sub/./rel.txt");
        Event e = h.await(ev -> opened(ev, r.pid(), dir.resolve("sub/rel.txt").toString()));
        assertThat(e.type()).isEqualTo(EventType.OPENAT);
        assertThat(e.fd().nameRaw().toString()).isEqualTo("../sub/./rel.txt");
        assertThat(e.argLong(EventType.OPENAT.slotOf("dirfd"))).isEqualTo(-100);
        assertThat(e.argLong(EventType.OPENAT.slotOf("fd"))).isGreaterThanOrEqualTo(3);
        assertThat(e.argLong(EventType.OPENAT.slotOf("flags")) & 02000000).isEqualTo(02000000);
        assertThat(e.process().cwd().toString()).isEqualTo(dir.resolve("sub").toString());
    }

    @Test
    void openatRelativeMissing() throws Exception {
        var r = run("open-rel", dir.toString(), "nope/never.txt");
        Event e = h.await(ev -> opened(ev, r.pid(), dir.resolve("nope/never.txt").toString()));
        assertThat(e.rawRes()).isEqualTo(-2);
        assertThat(e.fd().name().toString()).isEqualTo(dir.resolve("nope/never.txt").toString());
    }

    @Test
    void openatDirfdRelativeWithCreate() throws Exception {
        Files.createDirectories(dir.resolve("dfd"));
        var r = run("open-dirfd", dir.resolve("dfd").toString(), "new.txt");
        Event e = h.await(ev -> opened(ev, r.pid(), dir.resolve("dfd/new.txt").toString()));
        assertThat(e.argLong(EventType.OPENAT.slotOf("dirfd"))).isGreaterThanOrEqualTo(3);
        assertThat(e.fd().nameRaw().toString()).isEqualTo("new.txt");
        assertThat(e.argLong(EventType.OPENAT.slotOf("flags")) & 0101).isEqualTo(0101); // O_WRONLY|O_CREAT
        assertThat(e.argLong(EventType.OPENAT.slotOf("mode"))).isEqualTo(0640);
        assertThat(e.rawRes()).isGreaterThanOrEqualTo(3);
        assertThat(e.fd().created()).as("evt.is_open_create of the open that made the file").isTrue();
        // the same O_CREAT open once the file is there creates nothing
        var again = run("open-dirfd", dir.resolve("dfd").toString(), "new.txt");
        Event second = h.await(ev -> opened(ev, again.pid(), dir.resolve("dfd/new.txt").toString()));
        assertThat(second.argLong(EventType.OPENAT.slotOf("flags")) & 0100).isEqualTo(0100);
        assertThat(second.fd().created()).isFalse();
    }

    @Test
    void fileFamilies() throws Exception {
        Path base = Files.createDirectories(dir.resolve("fam"));
        var r = run("files", base.toString());
        String d = base.resolve("d").toString();
        Event mk = h.await(ev -> is(ev, EventType.MKDIR, r.pid()));
        assertThat(mk.argStr(EventType.MKDIR.slotOf("path")).toString()).isEqualTo(d);
        assertThat(mk.argLong(EventType.MKDIR.slotOf("mode"))).isEqualTo(0750);
        Event cr = h.await(ev -> opened(ev, r.pid(), d + "/f"));
        assertThat(cr.fd().name().toString()).isEqualTo(d + "/f");
        Event dup = h.await(ev -> is(ev, EventType.DUP2, r.pid()) && ev.rawRes() == 42);
        assertThat(dup.rawRes()).isEqualTo(42);
        assertThat(dup.fd().name().toString()).isEqualTo(d + "/f");
        Event rn = h.await(ev -> is(ev, EventType.RENAME, r.pid()));
        assertThat(rn.argStr(EventType.RENAME.slotOf("oldpath")).toString()).isEqualTo(d + "/f");
        assertThat(rn.argStr(EventType.RENAME.slotOf("newpath")).toString()).isEqualTo(d + "/g");
        Event sl = h.await(ev -> is(ev, EventType.SYMLINK, r.pid()));
        assertThat(sl.argStr(EventType.SYMLINK.slotOf("target")).toString()).isEqualTo("/etc/passwd");
        assertThat(sl.argStr(EventType.SYMLINK.slotOf("linkpath")).toString()).isEqualTo(d + "/link");
        Event ch = h.await(ev -> is(ev, EventType.CHMOD, r.pid()));
        assertThat(ch.argLong(EventType.CHMOD.slotOf("mode"))).isEqualTo(0604);
        Event ul = h.await(ev -> is(ev, EventType.UNLINK, r.pid()) && ev.argStr(0 + EventType.UNLINK.slotOf("path")).toString().endsWith("/g"));
        assertThat(ul.rawRes()).isZero();
        Event rm = h.await(ev -> is(ev, EventType.RMDIR, r.pid()));
        assertThat(rm.argStr(EventType.RMDIR.slotOf("path")).toString()).isEqualTo(d);
    }
}
