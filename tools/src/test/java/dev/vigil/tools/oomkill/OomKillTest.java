package dev.vigil.tools.oomkill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An OOM kill of a child in a memory cgroup with a 32 MiB limit (tail of /dev/zero keeps one endless line). */
class OomKillTest {
    @Test
    void aChildOverItsMemoryLimitIsKilledAndReported() throws Exception {
        KernelTests.assumeKernel();
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        boolean legacy = Files.isRegularFile(v1.resolve("memory.limit_in_bytes"));
        Path parent = legacy ? v1 : (Files.isDirectory(Path.of("/sys/fs/cgroup/unified")) ? Path.of("/sys/fs/cgroup/unified") : Path.of("/sys/fs/cgroup"));
        Path cg = Files.createDirectory(parent.resolve("vigil-test-oom-" + UUID.randomUUID()));
        try (var all = new ToolRun<>(OomKill.start(ToolFilters.NONE), (d, o, l) -> OomKill.Event.decode(d, o))) {
            if (legacy) {
                Files.writeString(cg.resolve("memory.limit_in_bytes"), "33554432");
            } else {
                Files.writeString(cg.resolve("memory.max"), "33554432");
                Files.writeString(cg.resolve("memory.swap.max"), "0");
            }
            Process p = new ProcessBuilder("sh", "-c", "echo $$ > '" + cg.resolve(legacy ? "tasks" : "cgroup.procs") + "' && exec tail /dev/zero")
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child was not OOM-killed").isTrue();
            var e = all.awaitOrFail(ev -> ev.victimPid() == p.pid(), "the OOM kill");
            assertThat(e.victimComm()).isEqualTo("tail");
            assertThat(e.triggerPid()).isEqualTo((int) p.pid()); // its own allocation ran out
            assertThat(e.triggerComm()).isEqualTo("tail");
            assertThat(e.pages()).isGreaterThan(1000); // ~32 MiB resident
        } finally {
            Files.deleteIfExists(cg);
        }
    }
}
