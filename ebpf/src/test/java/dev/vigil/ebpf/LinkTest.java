package dev.vigil.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each link kind attached for real and seen to fire. */
class LinkTest {
    private static final int UPROBE = 0;
    private static final int RAW_TP = 1;
    private static final int BTF_TP = 2;
    private static final int CONNECT4 = 3;
    private static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");
    private static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

    private BpfObject obj;

    @BeforeEach
    void load() {
        KernelTests.assumeKernel();
        obj = BpfObject.openResource("/bpf/test_links.bpf.o");
        obj.setConstant("target_tgid", ProcessHandle.current().pid());
        obj.load();
    }

    @AfterEach
    void close() {
        if (obj != null) {
            obj.close();
        }
    }

    private long hits(int kind) {
        return BpfMap.readU64(obj.map("hits").lookup(BpfMap.u32(kind)).orElseThrow(), 0);
    }

    @Test
    void uprobeOnALibcFunction() {
        try (Link.Uprobe link = obj.program("count_uprobe").attachUprobe(LIBC, "getppid", false, -1)) {
            assertThat(link.target()).contains("getppid");
            for (int i = 0; i < 10; i++) {
                KernelTests.getppid();
            }
        }
        assertThat(hits(UPROBE)).isEqualTo(10);
        KernelTests.getppid(); // detached: no more hits
        assertThat(hits(UPROBE)).isEqualTo(10);
    }

    @Test
    void rawTracepoint() {
        try (Link link = obj.program("count_raw_tp").attachRawTracepoint("sys_enter")) {
            for (int i = 0; i < 7; i++) {
                KernelTests.getppid();
            }
        }
        assertThat(hits(RAW_TP)).isEqualTo(7);
    }

    @Test
    void btfTracepoint() throws Exception {
        try (Link link = obj.program("count_btf_tp").attachBtfTracepoint()) {
            for (int i = 0; i < 3; i++) {
                // Java spawns through jspawnhelper: two execs per child, both with this JVM as parent
                new ProcessBuilder("/bin/true").start().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(hits(BTF_TP)).isEqualTo(6);
    }

    @Test
    void cgroupHookSeesOnlyItsCgroup() throws Exception {
        Path cg = CGROUP2.resolve("vigil-test-" + UUID.randomUUID());
        Files.createDirectory(cg);
        try (Link.Cgroup link = obj.program("count_connect4").attachCgroup(cg)) {
            assertThat(link.cgroup()).isEqualTo(cg);
            // One shell inside the cgroup connects twice (refused ports still run the hook), one outside once.
            String connect = "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true";
            run("sh", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + "; exec bash -c '" + connect + "'");
            run("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true");
        } finally {
            Files.delete(cg);
        }
        assertThat(hits(CONNECT4)).isEqualTo(2);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
