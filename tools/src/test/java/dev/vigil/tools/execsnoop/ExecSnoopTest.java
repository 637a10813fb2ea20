package dev.vigil.tools.execsnoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.testing.KernelTests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real execs of real children, seen through the kernel program. */
class ExecSnoopTest {
    private final List<Running> running = new ArrayList<>();
    private final String marker = "vigil-" + UUID.randomUUID();
    private final int jvmPid = (int) ProcessHandle.current().pid();

    /** A tracer running on its own thread, collecting everything it sees. */
    private static final class Running {
        final ExecSnoop snoop;
        final ConcurrentLinkedQueue<ExecEvent> events = new ConcurrentLinkedQueue<>();
        final Thread thread;

        Running(ExecSnoopOptions options) {
            snoop = ExecSnoop.start(options);
            thread = Thread.ofPlatform().start(() -> snoop.run(events::add, () -> { }));
        }

        Optional<ExecEvent> await(Predicate<ExecEvent> p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                Optional<ExecEvent> e = events.stream().filter(p).findFirst();
                if (e.isPresent()) {
                    return e;
                }
                Thread.sleep(10);
            }
            return Optional.empty();
        }

        /** After stop() the ring has been drained: what is absent now was never emitted. */
        List<ExecEvent> stopAndCollect() throws InterruptedException {
            snoop.stop();
            thread.join(5000);
            return List.copyOf(events);
        }
    }

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Running r : running) {
            r.snoop.stop();
            r.thread.join(5000);
            r.snoop.close();
        }
    }

    private Running start(ExecSnoopOptions options) {
        Running r = new Running(options);
        running.add(r);
        return r;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return (int) p.pid();
    }

    private Predicate<ExecEvent> hasArg(String arg) {
        return e -> e.args().contains(arg);
    }

    @Test
    void reportsPidPpidUidArgvAndReturnValue() throws Exception {
        Running all = start(ExecSnoopOptions.defaults());
        int pid = run("/bin/echo", marker, "second arg", "3");
        ExecEvent e = all.await(hasArg(marker)).orElseThrow(() -> new AssertionError("exec of /bin/echo not seen"));
        assertThat(e.pid()).isEqualTo(pid);
        assertThat(e.tid()).isEqualTo(pid);
        assertThat(e.ppid()).isEqualTo(jvmPid);
        assertThat(e.uid()).isEqualTo(0);
        assertThat(e.retval()).isZero();
        assertThat(e.comm()).isEqualTo("echo");
        assertThat(e.args()).containsExactly("/bin/echo", marker, "second arg", "3");
        assertThat(e.truncated()).isFalse();
        assertThat(e.commandLine(true)).isEqualTo("\"/bin/echo\" \"" + marker + "\" \"second arg\" \"3\"");
    }

    @Test
    void aPathThatIsAStringLiteralOfAFreshChildIsReported(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // Tracers that read the path at syscall entry get nothing here: the child's page holding the
        // literal is not mapped yet. execsnoop reads the kernel's copy at sched_process_exec.
        java.nio.file.Path bin = dir.resolve("exec_literal");
        String src = java.nio.file.Path.of(System.getenv().getOrDefault("VIGIL_PROJECT_ROOT", ".."))
                .resolve("tools/src/test/c/exec_literal.c").toString();
        assertThat(new ProcessBuilder("cc", "-O2", "-o", bin.toString(), src).inheritIO().start().waitFor()).isZero();
        Running all = start(ExecSnoopOptions.defaults());
        Process p = new ProcessBuilder(bin.toString(), marker).start();
        String out = new String(p.getInputStream().readAllBytes()).strip(); // echo's line, then the pid
        int child = Integer.parseInt(out.substring(out.lastIndexOf('\n') + 1));
        ExecEvent e = all.await(ev -> ev.pid() == child).orElseThrow(() -> new AssertionError("exec not seen"));
        assertThat(e.args()).containsExactly("/bin/echo", marker);
        assertThat(e.comm()).isEqualTo("echo");
        assertThat(e.ppid()).isEqualTo((int) p.pid());
    }

    @Test
    void withoutFailedExecsNoSyscallTracepointIsAttached() throws Exception {
        Running r = start(ExecSnoopOptions.defaults());
        Process p = new ProcessBuilder("bpftool", "prog", "show").start();
        String progs = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(progs).contains("handle_exec").doesNotContain("tracepoint__syscalls__sys_enter_execve");
        run("/bin/echo", marker);
        assertThat(r.await(hasArg(marker))).isPresent();
    }

    @Test
    void failedExecsAppearOnlyWithIncludeFailed() throws Exception {
        Running withFails = start(ExecSnoopOptions.defaults().withIncludeFailed(true));
        Running withoutFails = start(ExecSnoopOptions.defaults());
        String missing = "/nonexistent-" + marker + "/cmd";
        assertThatThrownBy(() -> new ProcessBuilder(missing, marker).start()).isInstanceOf(IOException.class);
        run("/bin/echo", marker); // a successful exec after it, seen by both
        ExecEvent failed = withFails.await(e -> e.args().contains(missing)).orElseThrow();
        assertThat(failed.retval()).isEqualTo(-2); // ENOENT
        assertThat(failed.ppid()).isEqualTo(jvmPid);
        assertThat(withoutFails.await(hasArg(marker))).isPresent();
        assertThat(withoutFails.stopAndCollect()).noneMatch(e -> e.args().contains(missing) || e.retval() != 0);
    }

    @Test
    void uidFilterRunsInTheKernel() throws Exception {
        Running nobody = start(ExecSnoopOptions.defaults().withUid(65534));
        Running all = start(ExecSnoopOptions.defaults());
        run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/echo", marker);
        ExecEvent asNobody = nobody.await(hasArg(marker)).orElseThrow();
        assertThat(asNobody.uid()).isEqualTo(65534);
        assertThat(asNobody.comm()).isEqualTo("echo");
        assertThat(all.await(e -> e.comm().equals("setpriv") && e.args().contains(marker))).isPresent();
        assertThat(nobody.stopAndCollect()).allMatch(e -> e.uid() == 65534);
    }

    @Test
    void nameFilterMatchesTheNewComm() throws Exception {
        Running echoes = start(ExecSnoopOptions.defaults().withName("ech"));
        Running all = start(ExecSnoopOptions.defaults());
        run("/bin/true", marker);
        run("/bin/echo", marker);
        assertThat(echoes.await(hasArg(marker))).hasValueSatisfying(e -> assertThat(e.comm()).isEqualTo("echo"));
        assertThat(all.await(e -> e.comm().equals("true") && e.args().contains(marker))).isPresent();
        assertThat(echoes.stopAndCollect()).allMatch(e -> e.comm().contains("ech"));
    }

    @Test
    void lineFilterKeepsOnlyMatchingArguments() throws Exception {
        String other = marker + "-other";
        Running line = start(ExecSnoopOptions.defaults().withLine(marker + "-wanted"));
        Running all = start(ExecSnoopOptions.defaults());
        run("/bin/echo", other);
        run("/bin/echo", marker + "-wanted");
        assertThat(line.await(hasArg(marker + "-wanted"))).isPresent();
        assertThat(all.await(hasArg(other))).isPresent();
        assertThat(line.stopAndCollect()).allMatch(e -> e.commandLine(false).contains(marker + "-wanted"));
    }

    @Test
    void maxArgsTruncatesAndSaysSo() throws Exception {
        Running r = start(ExecSnoopOptions.defaults().withMaxArgs(3));
        run("/bin/echo", marker, "b", "c", "d");
        ExecEvent e = r.await(hasArg(marker)).orElseThrow();
        assertThat(e.args()).containsExactly("/bin/echo", marker, "b");
        assertThat(e.truncated()).isTrue();
        assertThat(e.commandLine(false)).endsWith(" ...");
    }

    @Test
    void badOptionsAreRefusedClearly() {
        assertThatThrownBy(() -> ExecSnoopOptions.defaults().withMaxArgs(61)).hasMessageContaining("--max-args must be between 1 and 60");
        assertThatThrownBy(() -> ExecSnoopOptions.defaults().withName("a-name-longer-than-15")).hasMessageContaining("-n NAME");
    }
}
