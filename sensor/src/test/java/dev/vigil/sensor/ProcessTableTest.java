package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The process table alone, driven by synthetic lifecycle events (no kernel). */
class ProcessTableTest {
    private static ProcessTable table(int maxExited, long grace) {
        return new ProcessTable(maxExited, grace, new UserDb(), new CgroupPaths(null));
    }

    @Test
    void hundredThousandShortLivedProcessesStayBounded() {
        ProcessTable t = table(4096, 5_000_000_000L);
        t.getOrCreate(1).setComm("init");
        ProcessEntry shell = t.onFork(1, 100, 0);
        long ts = 0;
        int maxSize = 0;
        for (int i = 0; i < 100_000; i++) {
            int pid = 1000 + (i % 30_000); // pids are reused, as the kernel's are
            ts += 10_000; // 100,000 processes/s
            t.onFork(100, pid, ts);
            t.onExec(pid, "true", new String[] {"/bin/true"}, "/usr/bin/true", "/");
            t.onExit(pid, 1, ts + 5_000);
            maxSize = Math.max(maxSize, t.size());
        }
        assertThat(maxSize).isLessThanOrEqualTo(2 + 4096 + 1);
        assertThat(t.exitedCount()).isLessThanOrEqualTo(4096);
        assertThat(shell.children).hasSizeLessThanOrEqualTo(4096);
        assertThat(t.evictedCount()).isGreaterThan(90_000);
    }

    @Test
    void exitedProcessesLeaveAfterTheGracePeriod() {
        ProcessTable t = table(4096, 1_000);
        t.getOrCreate(1);
        t.onFork(1, 50, 0);
        t.onExit(50, 1, 10);
        assertThat(t.get(50)).isNotNull();
        t.evict(2_000);
        assertThat(t.get(50)).isNull();
    }

    @Test
    void ancestryAndReparenting() {
        ProcessTable t = table(4096, 5_000_000_000L);
        t.getOrCreate(1).setComm("init");
        t.onFork(1, 10, 0);
        t.onFork(10, 11, 0);
        t.onFork(11, 12, 0);
        t.onFork(12, 13, 0);
        ProcessEntry leaf = t.get(13);
        assertThat(leaf.parent().pid()).isEqualTo(12);
        assertThat(leaf.parent().parent().parent().pid()).isEqualTo(10);
        t.onExit(12, 10, 5); // a subreaper at 10 inherits 13
        assertThat(leaf.ppid()).isEqualTo(10);
        assertThat(leaf.parent().pid()).isEqualTo(10);
        assertThat(t.get(10).children).contains(13);
    }

    @Test
    void forkInheritsImageAndFdsExecDropsCloexec() {
        ProcessTable t = table(16, 1);
        ProcessEntry p = t.getOrCreate(5);
        p.setArgv(new String[] {"bash", "-c", "x"});
        p.cwd = "/home";
        FdEntry keep = new FdEntry(3, dev.vigil.events.FdType.FILE, "/etc/passwd");
        FdEntry cloexec = new FdEntry(4, dev.vigil.events.FdType.FILE, "/etc/shadow");
        cloexec.openFlags = 02000000;
        p.putFd(keep);
        p.putFd(cloexec);
        ProcessEntry c = t.onFork(5, 6, 0);
        assertThat(c.args().toString()).isEqualTo("-c x");
        assertThat(c.cwd().toString()).isEqualTo("/home");
        assertThat(c.fd(4).name().toString()).isEqualTo("/etc/shadow");
        t.onExec(6, "cat", new String[] {"cat", "f"}, "/usr/bin/cat", null);
        assertThat(c.fd(4)).isNull();
        assertThat(c.fd(3).name().toString()).isEqualTo("/etc/passwd");
        assertThat(c.cmdline().toString()).isEqualTo("cat f");
    }

    @Test
    void seedsFromProc() {
        ProcessTable t = table(16, 1);
        assertThat(t.seed(Path.of("/proc"), 0)).isGreaterThan(1);
        ProcessEntry self = t.get(ProcessHandle.current().pid());
        assertThat(self).isNotNull();
        assertThat(self.exePath().toString()).endsWith("/java");
        assertThat(self.parent()).isNotNull();
    }

    @Test
    void pathsNormalize() {
        assertThat(Paths.normalize("/a/./b/../c//d/")).isEqualTo("/a/c/d");
        assertThat(Paths.normalize("/..")).isEqualTo("/");
        assertThat(Paths.normalize("/etc/passwd")).isEqualTo("/etc/passwd");
    }
}
