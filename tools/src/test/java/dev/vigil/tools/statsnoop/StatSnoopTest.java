package dev.vigil.tools.statsnoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stat(1) of a marked file and of a missing one, seen through the stat-family exit tracepoints. */
class StatSnoopTest {
    @TempDir Path dir;

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
        return (int) p.pid();
    }

    @Test
    void aStatAndAFailedStatAreReportedAndFilteredInTheKernel() throws Exception {
        KernelTests.assumeKernel();
        Path marked = Files.writeString(dir.resolve("vigil-stat-" + UUID.randomUUID()), "x");
        Path missing = dir.resolve("missing-" + UUID.randomUUID());
        int self = (int) ProcessHandle.current().pid();
        try (var all = new ToolRun<>(StatSnoop.start(StatSnoop.Options.defaults()), (d, o, l) -> StatSnoop.Event.decode(d, o));
             var failed = new ToolRun<>(StatSnoop.start(StatSnoop.Options.defaults().withFailed(true)), (d, o, l) -> StatSnoop.Event.decode(d, o));
             var mine = new ToolRun<>(StatSnoop.start(StatSnoop.Options.defaults().withFilters(ToolFilters.NONE.withPid(self))),
                     (d, o, l) -> StatSnoop.Event.decode(d, o))) {
            int ok = run("stat", marked.toString());
            int bad = run("stat", missing.toString());
            var e = all.awaitOrFail(ev -> ev.pid() == ok && ev.path().equals(marked.toString()), "stat of the marked file");
            assertThat(e.comm()).isEqualTo("stat");
            assertThat(e.ret()).isZero();
            assertThat(e.syscallName()).isIn((Object[]) StatSnoop.SYSCALLS);
            var f = failed.awaitOrFail(ev -> ev.pid() == bad && ev.path().equals(missing.toString()), "the failed stat");
            assertThat(f.retColumn()).isEqualTo(-1);
            assertThat(f.err()).isEqualTo(2);
            assertThat(failed.stopAndCollect()).noneMatch(ev -> ev.path().equals(marked.toString()));
            Files.exists(marked); // this JVM's own stat
            mine.awaitOrFail(ev -> ev.pid() == self, "this JVM's stat (-p)");
            assertThat(mine.stopAndCollect()).allMatch(ev -> ev.pid() == self);
        }
    }
}
