package dev.vigil.sensor;

import static dev.vigil.sensor.SensorHarness.is;
import static dev.vigil.sensor.SensorHarness.run;
import static dev.vigil.sensor.SensorProcessSyscallTest.nums;
import static dev.vigil.sensor.SensorSyscallTest.arg;
import static dev.vigil.sensor.SensorSyscallTest.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The file syscalls glibc does not make on its own (open, creat), openat2, and every *at form with a real
 * directory fd (not AT_FDCWD), including "../" through a dirfd; fd-based calls named from the fd table;
 * the dup family; failures (ENOENT, EEXIST, EXDEV, ENOTEMPTY, EINVAL, and EACCES/EPERM as nobody).
 */
class SensorFileAtTest extends SharedSensorTest {
    static Path base;
    static SensorHarness.Run r;
    static long[] o;

    @BeforeAll
    static void start() throws Exception {
        base = Files.createDirectories(dir.resolve("fileat"));
        r = run("fileat", base.toString());
        // dfd o cr crf crfe o2 o2f o2fe mk mkf mkfe sfd sl ln ln2 rn rn2 chm fchm cho fcho lcho ftr d1 d3 d3f d3fe
        // ul rmf rmfe ul2 rm fcd
        o = nums(r, 0);
    }

    static String p(String rel) { return base.resolve(rel).toString(); }

    static final int DFD = 0, O = 1, SFD = 11;

    @Test
    void helperRanAsExpected() {
        assertThat(r.lines()).hasSize(2);
        assertThat(o[4]).isEqualTo(2);   // creat ENOENT
        assertThat(o[7]).isEqualTo(18);  // openat2 EXDEV
        assertThat(o[31]).isZero();      // the last unlinkat (the emptied directory)
        assertThat(o[32]).isZero();      // fchdir
        assertThat(r.lines().get(1).strip()).isEqualTo("-1 13 -1 1");
    }

    @Test
    void openSyscallItself() throws Exception {
        Event e = h.await(ev -> is(ev, EventType.OPEN, r.pid()) && ev.rawRes() == o[O]);
        assertThat(str(e, "name")).isEqualTo(p("o.txt"));
        assertThat(arg(e, "flags")).isEqualTo(01 | 0100); // O_WRONLY | O_CREAT
        assertThat(arg(e, "mode")).isEqualTo(0600);
        assertThat(e.fd().name().toString()).isEqualTo(p("o.txt"));
        assertThat(e.fd().nameRaw().toString()).isEqualTo("o.txt");
        assertThat(e.fd().type()).isEqualTo(FdType.FILE);
    }

    @Test
    void creatAndItsFailure() throws Exception {
        Event e = h.await(ev -> is(ev, EventType.CREAT, r.pid()) && ev.rawRes() >= 0);
        assertThat(e.rawRes()).isEqualTo(o[2]);
        assertThat(str(e, "name")).isEqualTo(p("c.txt"));
        assertThat(arg(e, "mode")).isEqualTo(0640);
        assertThat(e.fd().name().toString()).isEqualTo(p("c.txt"));
        Event f = h.await(ev -> is(ev, EventType.CREAT, r.pid()) && ev.rawRes() < 0);
        assertThat(f.rawRes()).isEqualTo(-2);
        assertThat(str(f, "name")).isEqualTo(p("nodir/c.txt"));
    }

    @Test
    void openat2WithDirfdAndResolveBeneath() throws Exception {
        Event e = h.await(ev -> is(ev, EventType.OPENAT2, r.pid()) && ev.rawRes() >= 0);
        assertThat(e.rawRes()).isEqualTo(o[5]);
        assertThat(arg(e, "dirfd")).isEqualTo(o[DFD]);
        assertThat(str(e, "name")).isEqualTo(p("o.txt"));
        assertThat(arg(e, "flags")).isZero(); // O_RDONLY
        assertThat(arg(e, "resolve")).isEqualTo(0x08); // RESOLVE_BENEATH
        assertThat(e.fd().name().toString()).isEqualTo(p("o.txt"));
        Event f = h.await(ev -> is(ev, EventType.OPENAT2, r.pid()) && ev.rawRes() < 0);
        assertThat(f.rawRes()).isEqualTo(-18); // EXDEV: "../" escapes the dirfd
        assertThat(str(f, "name")).isEqualTo(dir.resolve("o.txt").toString());
    }

    @Test
    void mkdiratSymlinkatWithRealDirfds() throws Exception {
        Event mk = h.await(ev -> is(ev, EventType.MKDIRAT, r.pid()) && ev.rawRes() == 0);
        assertThat(arg(mk, "dirfd")).isEqualTo(o[DFD]);
        assertThat(str(mk, "path")).isEqualTo(p("sub"));
        assertThat(arg(mk, "mode")).isEqualTo(0700);
        Event again = h.await(ev -> is(ev, EventType.MKDIRAT, r.pid()) && ev.rawRes() != 0);
        assertThat(again.rawRes()).isEqualTo(-17); // EEXIST
        Event sl = h.await(ev -> is(ev, EventType.SYMLINKAT, r.pid()));
        assertThat(str(sl, "target")).isEqualTo("target-x"); // the target is text, never resolved
        assertThat(arg(sl, "linkdirfd")).isEqualTo(o[SFD]);
        assertThat(str(sl, "linkpath")).isEqualTo(p("sub/sl"));
        assertThat(sl.rawRes()).isZero();
    }

    @Test
    void linkLinkatRenameatRenameat2AcrossTwoDirfds() throws Exception {
        Event ln = h.await(ev -> is(ev, EventType.LINKAT, r.pid()));
        assertThat(arg(ln, "olddir")).isEqualTo(o[DFD]);
        assertThat(str(ln, "oldpath")).isEqualTo(p("o.txt"));
        assertThat(arg(ln, "newdir")).isEqualTo(o[SFD]);
        assertThat(str(ln, "newpath")).isEqualTo(p("sub/hard"));
        assertThat(arg(ln, "flags")).isZero();
        assertThat(ln.rawRes()).isZero();
        Event link = h.await(ev -> is(ev, EventType.LINK, r.pid()));
        assertThat(str(link, "oldpath")).isEqualTo(p("o.txt"));
        assertThat(str(link, "newpath")).isEqualTo(p("l2"));
        assertThat(link.rawRes()).isZero();
        Event rn = h.await(ev -> is(ev, EventType.RENAMEAT, r.pid()));
        assertThat(arg(rn, "olddirfd")).isEqualTo(o[SFD]);
        assertThat(str(rn, "oldpath")).isEqualTo(p("sub/hard"));
        assertThat(arg(rn, "newdirfd")).isEqualTo(o[DFD]);
        assertThat(str(rn, "newpath")).isEqualTo(p("moved"));
        assertThat(rn.rawRes()).isZero();
        Event rn2 = h.await(ev -> is(ev, EventType.RENAMEAT2, r.pid()));
        assertThat(str(rn2, "oldpath")).isEqualTo(p("moved"));
        assertThat(str(rn2, "newpath")).isEqualTo(p("sub/back"));
        assertThat(arg(rn2, "olddirfd")).isEqualTo(o[DFD]);
        assertThat(arg(rn2, "newdirfd")).isEqualTo(o[SFD]);
        assertThat(arg(rn2, "flags")).isEqualTo(1);
    }

    @Test
    void fchmodatThroughDotDotAndFchmod() throws Exception {
        Event at = h.await(ev -> is(ev, EventType.FCHMODAT, r.pid()));
        assertThat(arg(at, "dirfd")).isEqualTo(o[SFD]);
        assertThat(str(at, "filename")).isEqualTo(p("o.txt")); // "../o.txt" from sub's fd
        assertThat(arg(at, "mode")).isEqualTo(0640);
        assertThat(at.rawRes()).isZero();
        Event f = h.await(ev -> is(ev, EventType.FCHMOD, r.pid()));
        assertThat(arg(f, "fd")).isEqualTo(o[O]);
        assertThat(arg(f, "mode")).isEqualTo(0600);
        assertThat(f.fd().name().toString()).isEqualTo(p("o.txt"));
    }

    @Test
    void chownFamilyAndFtruncate() throws Exception {
        Event at = h.await(ev -> is(ev, EventType.FCHOWNAT, r.pid()));
        assertThat(arg(at, "dirfd")).isEqualTo(o[DFD]);
        assertThat(str(at, "pathname")).isEqualTo(p("o.txt"));
        assertThat(arg(at, "uid")).isEqualTo(1);
        assertThat(arg(at, "gid")).isEqualTo(2);
        assertThat(arg(at, "flags")).isEqualTo(0x100); // AT_SYMLINK_NOFOLLOW
        Event f = h.await(ev -> is(ev, EventType.FCHOWN, r.pid()));
        assertThat(arg(f, "fd")).isEqualTo(o[O]);
        assertThat(arg(f, "uid")).isEqualTo(3);
        assertThat(arg(f, "gid")).isEqualTo(4);
        assertThat(f.fd().name().toString()).isEqualTo(p("o.txt"));
        Event l = h.await(ev -> is(ev, EventType.LCHOWN, r.pid()));
        assertThat(str(l, "path")).isEqualTo(p("sub/sl"));
        assertThat(arg(l, "uid")).isEqualTo(5);
        assertThat(arg(l, "gid")).isEqualTo(6);
        assertThat(l.rawRes()).isZero();
        Event t = h.await(ev -> is(ev, EventType.FTRUNCATE, r.pid()));
        assertThat(arg(t, "fd")).isEqualTo(o[O]);
        assertThat(arg(t, "length")).isEqualTo(7);
        assertThat(t.fd().name().toString()).isEqualTo(p("o.txt"));
    }

    @Test
    void dupAndDup3() throws Exception {
        Event d = h.await(ev -> is(ev, EventType.DUP, r.pid()));
        assertThat(d.rawRes()).isEqualTo(o[23]);
        assertThat(arg(d, "oldfd")).isEqualTo(o[O]);
        assertThat(d.fd().num()).isEqualTo(o[23]);
        assertThat(d.fd().name().toString()).isEqualTo(p("o.txt"));
        Event d3 = h.await(ev -> is(ev, EventType.DUP3, r.pid()) && ev.rawRes() == 50);
        assertThat(arg(d3, "oldfd")).isEqualTo(o[O]);
        assertThat(arg(d3, "newfd")).isEqualTo(50);
        assertThat(arg(d3, "flags")).isEqualTo(02000000); // O_CLOEXEC
        assertThat(d3.fd().num()).isEqualTo(50);
        assertThat(d3.fd().name().toString()).isEqualTo(p("o.txt"));
        Event bad = h.await(ev -> is(ev, EventType.DUP3, r.pid()) && ev.rawRes() < 0);
        assertThat(bad.rawRes()).isEqualTo(-22); // EINVAL: oldfd == newfd
        assertThat(arg(bad, "newfd")).isEqualTo(o[O]);
    }

    @Test
    void unlinkatFileAndDirectory() throws Exception {
        Event ul = h.await(ev -> is(ev, EventType.UNLINKAT, r.pid()) && p("sub/sl").equals(str(ev, "name")));
        assertThat(arg(ul, "dirfd")).isEqualTo(o[SFD]);
        assertThat(arg(ul, "flags")).isZero();
        assertThat(ul.rawRes()).isZero();
        Event notEmpty = h.await(ev -> is(ev, EventType.UNLINKAT, r.pid()) && ev.rawRes() < 0);
        assertThat(notEmpty.rawRes()).isEqualTo(-39); // ENOTEMPTY
        assertThat(str(notEmpty, "name")).isEqualTo(p("sub"));
        assertThat(arg(notEmpty, "flags")).isEqualTo(0x200); // AT_REMOVEDIR
        Event rm = h.await(ev -> is(ev, EventType.UNLINKAT, r.pid()) && ev.rawRes() == 0 && arg(ev, "flags") == 0x200);
        assertThat(str(rm, "name")).isEqualTo(p("sub"));
    }

    @Test
    void chdirAndFchdirFollowTheCwd() throws Exception {
        Event cd = h.await(ev -> is(ev, EventType.CHDIR, r.pid()) && ev.rawRes() == 0);
        assertThat(str(cd, "path")).isEqualTo(base.toString());
        // fchdir names its directory from the fd table (the dirfd opened on ".")
        Event fcd = h.await(ev -> is(ev, EventType.FCHDIR, r.pid()));
        assertThat(arg(fcd, "fd")).isEqualTo(o[DFD]);
        assertThat(fcd.rawRes()).isZero();
        assertThat(fcd.fd().name().toString()).isEqualTo(base.toString());
        assertThat(fcd.process().cwd().toString()).isEqualTo(base.toString());
    }

    @Test
    void eaccesAndEpermAsNobody() throws Exception {
        Event open = h.await(ev -> is(ev, EventType.OPEN, r.pid()) && ev.rawRes() < 0);
        assertThat(open.rawRes()).isEqualTo(-13); // EACCES: root's 0600 file
        assertThat(str(open, "name")).isEqualTo(p("o.txt"));
        assertThat(open.fd().num()).isEqualTo(-1);
        assertThat(open.process().uid()).isEqualTo(65534);
        Event ch = h.await(ev -> is(ev, EventType.CHMOD, r.pid()));
        assertThat(ch.rawRes()).isEqualTo(-1); // EPERM: not the owner
        assertThat(str(ch, "filename")).isEqualTo(p("o.txt"));
        assertThat(arg(ch, "mode")).isEqualTo(0777);
    }
}
