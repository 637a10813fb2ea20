package dev.vigil.tools.exitsnoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.TestCgroup;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.ToolRun;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Children that exit with known codes and signals, seen through sched_process_exit. */
class ExitSnoopTest {
    private final List<ToolRun<ExitSnoop.Event>> running = new ArrayList<>();
    private final int jvmPid = (int) ProcessHandle.current().pid();

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (var r : running) {
            r.close();
        }
    }

    private ToolRun<ExitSnoop.Event> start(ExitSnoop.Options o) {
        var r = new ToolRun<>(ExitSnoop.start(o), (d, off, len) -> ExitSnoop.Event.decode(d, off));
        running.add(r);
        return r;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.waitFor(10, TimeUnit.SECONDS);
        return (int) p.pid();
    }

    @Test
    void aChildsExitCodeAndParentAreReported() throws Exception {
        var all = start(ExitSnoop.Options.defaults());
        int pid = run("sh", "-c", "exit 7");
        var e = all.awaitOrFail(ev -> ev.pid() == pid, "the child's exit");
        assertThat(e.exitCode()).isEqualTo(7);
        assertThat(e.signal()).isZero();
        assertThat(e.exitText()).isEqualTo("code 7");
        assertThat(e.ppid()).isEqualTo(jvmPid);
        assertThat(e.tid()).isEqualTo(pid);
        assertThat(e.comm()).isEqualTo("sh");
        assertThat(e.ageSeconds()).isBetween(0.0, 10.0);
    }

    @Test
    void aKilledChildShowsItsSignalAndFailedOnlySkipsCleanExits() throws Exception {
        var failed = start(ExitSnoop.Options.defaults().withFailed(true));
        var all = start(ExitSnoop.Options.defaults());
        int clean = run("true");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        var e = failed.awaitOrFail(ev -> ev.pid() == sleeper.pid(), "the killed child");
        assertThat(e.signal()).isEqualTo(9);
        assertThat(e.exitText()).isEqualTo("signal 9 (Killed)");
        all.awaitOrFail(ev -> ev.pid() == clean && ev.exitCode() == 0, "the clean exit (unfiltered)");
        assertThat(failed.stopAndCollect()).noneMatch(ev -> ev.pid() == clean).allMatch(ev -> ev.exitCode() != 0 || ev.sig() != 0);
    }

    @Test
    void threadsOnlyWithThreadedAndPidFilterInTheKernel() throws Exception {
        var threads = start(ExitSnoop.Options.defaults().withThreads(true).withFilters(ToolFilters.NONE.withPid(jvmPid)));
        var processes = start(ExitSnoop.Options.defaults().withFilters(ToolFilters.NONE.withPid(jvmPid)));
        int[] tid = new int[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                tid[0] = Integer.parseInt(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).getFileName().toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        t.join();
        int child = run("true");
        var e = threads.awaitOrFail(ev -> ev.tid() == tid[0], "the thread's exit");
        assertThat(e.pid()).isEqualTo(jvmPid);
        assertThat(threads.stopAndCollect()).allMatch(ev -> ev.pid() == jvmPid).noneMatch(ev -> ev.pid() == child);
        assertThat(processes.stopAndCollect()).isEmpty(); // this JVM has not exited
    }

    @Test
    void cgroupFilter() throws Exception {
        try (TestCgroup cg = new TestCgroup()) {
            var inside = start(ExitSnoop.Options.defaults().withFilters(ToolFilters.NONE.withCgroup(cg.dir)));
            var all = start(ExitSnoop.Options.defaults());
            int in = cg.run("sh", "-c", "exit 3");
            int out = run("sh", "-c", "exit 4");
            assertThat(inside.awaitOrFail(ev -> ev.pid() == in, "the exit inside").exitCode()).isEqualTo(3);
            all.awaitOrFail(ev -> ev.pid() == out, "the exit outside");
            assertThat(inside.stopAndCollect()).noneMatch(ev -> ev.pid() == out);
        }
    }

    @Test
    void printsLibbpfToolsColumns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ToolOutput out = new ToolOutput(bytes, false);
        var p = new ExitSnoop.Printer(out, ExitSnoop.Options.defaults());
        p.header();
        p.print(new ExitSnoop.Event(1_000_000_000L, 1_240_000_000L, 12576, 12576, 12551, 3, 0, 0, "sh"));
        p.print(new ExitSnoop.Event(0, 3_090_000_000L, 12554, 12554, 12551, 0, 0x80 | 11, 0, "sleep"));
        out.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                "PCOMM            PID     PPID    TID     AGE(s)  EXIT_CODE\n"
              + "sh               12576   12551   12576   0.24    code 3\n"
              + "sleep            12554   12551   12554   3.09    signal 11 (Segmentation fault), core dumped\n");
    }
}
