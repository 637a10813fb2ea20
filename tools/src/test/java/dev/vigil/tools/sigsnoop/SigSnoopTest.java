package dev.vigil.tools.sigsnoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolRun;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kills of a child, and a kill that fails, seen through signal_generate and the kill syscalls. */
class SigSnoopTest {
    private final int jvmPid = (int) ProcessHandle.current().pid();

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    private static ToolRun<SigSnoop.Event> start(SigSnoop.Options o) {
        return new ToolRun<>(SigSnoop.start(o), (d, off, len) -> SigSnoop.Event.decode(d, off));
    }

    @Test
    void aKillOfAChildIsSeenWithSenderTargetAndTargetComm() throws Exception {
        try (var all = start(SigSnoop.Options.defaults());
             var usr1 = start(SigSnoop.Options.defaults().withSignal(10));
             var mine = start(SigSnoop.Options.defaults().withFilters(ToolFilters.NONE.withPid(jvmPid)))) {
            Process child = new ProcessBuilder("sleep", "60").start();
            child.destroy(); // kill(pid, SIGTERM) from this JVM
            child.waitFor(10, TimeUnit.SECONDS);
            var e = all.awaitOrFail(ev -> ev.tpid() == child.pid() && ev.sig() == 15, "the SIGTERM");
            assertThat(e.pid()).isEqualTo(jvmPid);
            assertThat(e.tcomm()).isEqualTo("sleep");
            assertThat(e.result()).isZero();
            assertThat(e.source()).isEqualTo("signal_generate");
            mine.awaitOrFail(ev -> ev.tpid() == child.pid(), "the SIGTERM (-p this JVM)");
            assertThat(mine.stopAndCollect()).allMatch(ev -> ev.pid() == jvmPid);
            assertThat(usr1.stopAndCollect()).allMatch(ev -> ev.sig() == 10);
        }
    }

    @Test
    void killOnlyShowsFailedKillsWithTheirErrnoAndFailedOnlyKeepsThem() throws Exception {
        try (var kills = start(SigSnoop.Options.defaults().withKillOnly(true));
             var failed = start(SigSnoop.Options.defaults().withKillOnly(true).withFailed(true))) {
            Process child = new ProcessBuilder("sleep", "60").start();
            Process killer = new ProcessBuilder("kill", "-USR1", Long.toString(child.pid())).start();
            killer.waitFor(10, TimeUnit.SECONDS);
            child.waitFor(10, TimeUnit.SECONDS);
            Process miss = new ProcessBuilder("kill", "-USR2", "4194303").start(); // above any pid: ESRCH
            miss.waitFor(10, TimeUnit.SECONDS);
            var ok = kills.awaitOrFail(ev -> ev.tpid() == child.pid() && ev.sig() == 10, "kill -USR1");
            assertThat(ok.pid()).isEqualTo(killer.pid());
            assertThat(ok.comm()).isEqualTo("kill");
            assertThat(ok.tcomm()).isEqualTo("sleep");
            assertThat(ok.result()).isZero();
            assertThat(ok.source()).isEqualTo("kill");
            var bad = failed.awaitOrFail(ev -> ev.tpid() == 4194303, "the failing kill");
            assertThat(bad.result()).isEqualTo(-3); // ESRCH
            assertThat(bad.sig()).isEqualTo(12);
            assertThat(failed.stopAndCollect()).allMatch(ev -> ev.result() != 0);
        }
    }
}
