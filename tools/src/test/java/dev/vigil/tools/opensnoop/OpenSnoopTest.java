package dev.vigil.tools.opensnoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.TestCgroup;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.ToolRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real opens by this JVM and by children, seen through the kernel program. */
class OpenSnoopTest {
    private final List<ToolRun<OpenSnoop.Event>> running = new ArrayList<>();
    private final int jvmPid = (int) ProcessHandle.current().pid();
    @TempDir Path dir;
    private Path marked;

    @BeforeEach
    void setUp() throws IOException {
        KernelTests.assumeKernel();
        marked = Files.writeString(dir.resolve("vigil-open-" + UUID.randomUUID()), "x");
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (ToolRun<OpenSnoop.Event> r : running) {
            r.close();
        }
    }

    private ToolRun<OpenSnoop.Event> start(OpenSnoop.Options o) {
        ToolRun<OpenSnoop.Event> r = new ToolRun<>(OpenSnoop.start(o), (d, off, len) -> OpenSnoop.Event.decode(d, off, len));
        running.add(r);
        return r;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return (int) p.pid();
    }

    @Test
    void anOpenOfAMarkedFileIsReportedWithItsFields() throws Exception {
        var all = start(OpenSnoop.Options.defaults());
        int pid = run("cat", marked.toString());
        var e = all.awaitOrFail(ev -> ev.path().equals(marked.toString()) && ev.pid() == pid, "cat's open");
        assertThat(e.tid()).isEqualTo(pid);
        assertThat(e.comm()).isEqualTo("cat");
        assertThat(e.uid()).isZero();
        assertThat(e.fd()).isGreaterThanOrEqualTo(3);
        assertThat(e.err()).isZero();
        assertThat(e.flags() & 3).isZero(); // O_RDONLY
        assertThat(e.dirfd()).isEqualTo(-100); // AT_FDCWD
        assertThat(all.tool().lost()).isZero();
    }

    @Test
    void failedOnlyShowsTheFailingOpenWithItsErrno() throws Exception {
        var failed = start(OpenSnoop.Options.defaults().withFailed(true));
        var all = start(OpenSnoop.Options.defaults());
        Path missing = dir.resolve("missing-" + UUID.randomUUID());
        run("cat", marked.toString());
        run("cat", missing.toString());
        var e = failed.awaitOrFail(ev -> ev.path().equals(missing.toString()), "the failing open");
        assertThat(e.fd()).isEqualTo(-1);
        assertThat(e.err()).isEqualTo(2); // ENOENT
        all.awaitOrFail(ev -> ev.path().equals(marked.toString()), "the successful open (unfiltered)");
        assertThat(failed.stopAndCollect()).noneMatch(ev -> ev.path().equals(marked.toString())).allMatch(ev -> ev.err() != 0);
    }

    @Test
    void pidUidAndNameFiltersExcludeOthersInTheKernel() throws Exception {
        var self = start(OpenSnoop.Options.defaults().withFilters(ToolFilters.NONE.withPid(jvmPid)));
        var nobody = start(OpenSnoop.Options.defaults().withFilters(ToolFilters.NONE.withUid(65534)));
        var heads = start(OpenSnoop.Options.defaults().withName("hea"));
        var all = start(OpenSnoop.Options.defaults());
        Files.setPosixFilePermissions(marked, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        int child = run("cat", marked.toString());
        int asNobody = run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", marked.toString());
        int head = run("head", "-c1", marked.toString());
        Files.readString(marked); // this JVM's own open
        all.awaitOrFail(ev -> ev.path().equals(marked.toString()) && ev.pid() == child, "the child's open");
        all.awaitOrFail(ev -> ev.path().equals(marked.toString()) && ev.pid() == asNobody, "nobody's open");
        self.awaitOrFail(ev -> ev.path().equals(marked.toString()), "this JVM's open");
        nobody.awaitOrFail(ev -> ev.pid() == asNobody && ev.uid() == 65534, "nobody's open (-u 65534)");
        heads.awaitOrFail(ev -> ev.pid() == head && ev.comm().equals("head"), "head's open (-n hea)");
        assertThat(self.stopAndCollect()).allMatch(ev -> ev.pid() == jvmPid);
        assertThat(nobody.stopAndCollect()).allMatch(ev -> ev.uid() == 65534);
        assertThat(heads.stopAndCollect()).allMatch(ev -> ev.comm().contains("hea"));
    }

    @Test
    void cgroupFilterKeepsOnlyProcessesInIt() throws Exception {
        try (TestCgroup cg = new TestCgroup()) {
            var inside = start(OpenSnoop.Options.defaults().withFilters(ToolFilters.NONE.withCgroup(cg.dir)));
            var all = start(OpenSnoop.Options.defaults());
            int in = cg.run("cat", marked.toString());
            int out = run("cat", marked.toString());
            inside.awaitOrFail(ev -> ev.pid() == in && ev.path().equals(marked.toString()), "the open inside the cgroup");
            all.awaitOrFail(ev -> ev.pid() == out && ev.path().equals(marked.toString()), "the open outside");
            assertThat(inside.stopAndCollect()).noneMatch(ev -> ev.pid() == out || ev.pid() == jvmPid);
        }
    }

    @Test
    void fullPathGivesARelativeOpenItsDirectoryFromTheKernel() throws Exception {
        var full = start(OpenSnoop.Options.defaults().withFullPath(true));
        var plain = start(OpenSnoop.Options.defaults());
        Path sub = Files.createDirectories(dir.resolve("a").resolve("b"));
        Path file = Files.writeString(sub.resolve("vigil-rel-" + UUID.randomUUID()), "x");
        String relative = "b/" + file.getFileName();
        Process p = new ProcessBuilder("cat", relative).directory(dir.resolve("a").toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int pid = (int) p.pid();
        // the cwd's names up to the root, crossing the mounts in between (/tmp is often a tmpfs)
        var e = full.awaitOrFail(ev -> ev.pid() == pid && ev.path().endsWith(relative), "cat's relative open with -F");
        assertThat(e.path()).isEqualTo(dir.toRealPath().resolve("a") + "/" + relative);
        var abs = full.awaitOrFail(ev -> ev.pid() == pid && ev.path().startsWith("/etc/ld.so.cache"), "an absolute open with -F");
        assertThat(abs.path()).isEqualTo("/etc/ld.so.cache"); // absolute paths stay as given
        plain.awaitOrFail(ev -> ev.pid() == pid && ev.path().equals(relative), "the same open without -F, as given");
    }

    @Test
    void printsLibbpfToolsColumns() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment rec = a.allocate(312);
            rec.set(ValueLayout.JAVA_LONG_UNALIGNED, OpenSnoop.Event.FLAGS, 02000000);
            rec.set(ValueLayout.JAVA_INT_UNALIGNED, OpenSnoop.Event.PID, 12098);
            rec.set(ValueLayout.JAVA_INT_UNALIGNED, OpenSnoop.Event.UID, 1000);
            rec.set(ValueLayout.JAVA_INT_UNALIGNED, OpenSnoop.Event.RET, -2);
            rec.setString(OpenSnoop.Event.COMM, "cat");
            rec.setString(OpenSnoop.Event.PATH, "/usr/lib/locale/locale-archive");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ToolOutput out = new ToolOutput(bytes, false);
            var p = new OpenSnoop.Printer(out, new OpenSnoop.Options(ToolFilters.NONE, false, null, false, true, true, false));
            p.header();
            p.print(rec, 0);
            out.flush();
            assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                    "UID     PID    COMM              FD ERR FLAGS    PATH\n"
                  + "1000    12098  cat               -1   2 02000000 /usr/lib/locale/locale-archive\n");
        }
    }
}
