package dev.vigil.sensor;

import static dev.vigil.sensor.SensorHarness.is;
import static dev.vigil.sensor.SensorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Credentials, ptrace, signals, namespaces, ownership, links and memfds of real children; an EACCES failure. */
class SensorSyscallTest extends SharedSensorTest {

    static long arg(Event e, String name) { return e.argLong(e.type().slotOf(name)); }

    static String str(Event e, String name) {
        CharSequence s = e.argStr(e.type().slotOf(name));
        return s == null ? null : s.toString();
    }

    @Test
    void setuidFamilyAndTheCredentialsThatFollow() throws Exception {
        var r = run("creds");
        assertThat(r.out().strip()).isEqualTo("0 0 0 -1");
        Event g = h.await(ev -> is(ev, EventType.SETGID, r.pid()));
        assertThat(arg(g, "gid")).isEqualTo(1000);
        assertThat(g.rawRes()).isZero();
        Event rg = h.await(ev -> is(ev, EventType.SETRESGID, r.pid()));
        assertThat(arg(rg, "rgid")).isEqualTo(1000);
        assertThat(arg(rg, "egid")).isEqualTo(1001);
        assertThat(arg(rg, "sgid")).isEqualTo(1002);
        Event ru = h.await(ev -> is(ev, EventType.SETRESUID, r.pid()));
        assertThat(arg(ru, "ruid")).isEqualTo(2001);
        assertThat(arg(ru, "euid")).isEqualTo(2002);
        assertThat(arg(ru, "suid")).isEqualTo(2003);
        assertThat(ru.rawRes()).isZero();
        Event u = h.await(ev -> is(ev, EventType.SETUID, r.pid()));
        assertThat(arg(u, "uid")).isZero();
        assertThat(u.rawRes()).isEqualTo(-1); // EPERM: no longer root
        // the failed setuid's process carries the credentials set before it
        assertThat(u.process().uid()).isEqualTo(2001);
        assertThat(u.process().euid()).isEqualTo(2002);
        assertThat(u.process().gid()).isEqualTo(1000);
        // the setresuid itself ran as root: its exit record already has the new credentials (taken at exit)
        assertThat(ru.process().uid()).isEqualTo(2001);
    }

    @Test
    void ptraceTracemeAttachAndKill() throws Exception {
        var r = run("ptrace");
        String[] out = r.out().strip().split(" ");
        long a = Long.parseLong(out[0]), b = Long.parseLong(out[1]);
        assertThat(out[2]).isEqualTo("0");
        Event me = h.await(ev -> is(ev, EventType.PTRACE, a));
        assertThat(arg(me, "request")).isZero(); // PTRACE_TRACEME
        assertThat(me.rawRes()).isZero();
        assertThat(me.process().ppid()).isEqualTo(r.pid());
        Event at = h.await(ev -> is(ev, EventType.PTRACE, r.pid()) && arg(ev, "request") == 16); // PTRACE_ATTACH
        assertThat(arg(at, "pid")).isEqualTo(b);
        assertThat(at.rawRes()).isZero();
        Event det = h.await(ev -> is(ev, EventType.PTRACE, r.pid()) && arg(ev, "request") == 17); // PTRACE_DETACH
        assertThat(arg(det, "pid")).isEqualTo(b);
        Event k = h.await(ev -> is(ev, EventType.KILL, r.pid()) && arg(ev, "pid") == b);
        assertThat(arg(k, "sig")).isEqualTo(9);
        assertThat(k.rawRes()).isZero();
        Event esrch = h.await(ev -> is(ev, EventType.KILL, r.pid()) && arg(ev, "pid") == 999999999);
        assertThat(arg(esrch, "sig")).isZero();
        assertThat(esrch.rawRes()).isEqualTo(-3); // ESRCH
        Event exit = h.await(ev -> is(ev, EventType.PROCEXIT, b));
        assertThat(arg(exit, "sig")).isEqualTo(9);
    }

    @Test
    void unshare() throws Exception {
        var r = run("unshare");
        Event e = h.await(ev -> is(ev, EventType.UNSHARE, r.pid()));
        assertThat(arg(e, "flags")).isEqualTo(0x04000000L); // CLONE_NEWUTS
        assertThat(e.rawRes()).isZero();
    }

    @Test
    void chownTruncateLinkatRenameat2Memfd() throws Exception {
        Path base = Files.createDirectories(dir.resolve("f2"));
        var r = run("files2", base.toString());
        String f = base.resolve("f").toString();
        Event ch = h.await(ev -> is(ev, EventType.CHOWN, r.pid()));
        assertThat(str(ch, "path")).isEqualTo(f);
        assertThat(arg(ch, "uid")).isEqualTo(1234);
        assertThat(arg(ch, "gid")).isEqualTo(5678);
        assertThat(ch.rawRes()).isZero();
        Event tr = h.await(ev -> is(ev, EventType.TRUNCATE, r.pid()));
        assertThat(str(tr, "path")).isEqualTo(f);
        assertThat(arg(tr, "length")).isEqualTo(10);
        Event ln = h.await(ev -> is(ev, EventType.LINKAT, r.pid()));
        assertThat(str(ln, "oldpath")).isEqualTo(f);
        assertThat(str(ln, "newpath")).isEqualTo(base.resolve("h").toString());
        assertThat(arg(ln, "olddir")).isEqualTo(-100);
        assertThat(ln.rawRes()).isZero();
        Event rn = h.await(ev -> is(ev, EventType.RENAMEAT2, r.pid()));
        assertThat(str(rn, "oldpath")).isEqualTo(base.resolve("h").toString());
        assertThat(str(rn, "newpath")).isEqualTo(base.resolve("i").toString());
        assertThat(arg(rn, "flags")).isEqualTo(1); // RENAME_NOREPLACE
        assertThat(rn.rawRes()).isZero();
        Event m = h.await(ev -> is(ev, EventType.MEMFD_CREATE, r.pid()));
        assertThat(str(m, "name")).isEqualTo("vigil-mfd");
        assertThat(arg(m, "flags")).isEqualTo(1); // MFD_CLOEXEC
        assertThat(m.rawRes()).isEqualTo(Long.parseLong(r.out().strip()));
        assertThat(m.fd().type()).isEqualTo(FdType.MEMFD);
        assertThat(m.fd().name().toString()).isEqualTo("/memfd:vigil-mfd");
    }

    @Test
    void openAsNobodyIsEacces() throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", "/etc/shadow")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Event e = h.await(ev -> ev.type().isOpen() && ev.process() != null && ev.process().pid() == p.pid()
                && ev.fd() != null && "/etc/shadow".equals(String.valueOf(ev.fd().name())));
        assertThat(e.rawRes()).isEqualTo(-13); // EACCES
        assertThat(e.fd().num()).isEqualTo(-1);
        assertThat(e.process().uid()).isEqualTo(65534);
        assertThat(e.process().name().toString()).isEqualTo("cat");
        assertThat(e.process().userName().toString()).isEqualTo("nobody");
    }
}
