package dev.vigil.tools.capable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolRun;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A capability check that fails for an unprivileged child (nice -n -5 needs CAP_SYS_NICE). */
class CapableTest {
    private static final int CAP_SYS_NICE = 23;

    @Test
    void aDeniedCheckOfAnUnprivilegedChildIsReportedAndUidFilterKeepsIt() throws Exception {
        KernelTests.assumeKernel();
        try (var all = new ToolRun<>(Capable.start(Capable.Options.defaults()), (d, o, l) -> Capable.Event.decode(d, o));
             var nobody = new ToolRun<>(Capable.start(Capable.Options.defaults().withFilters(ToolFilters.NONE.withUid(65534))),
                     (d, o, l) -> Capable.Event.decode(d, o));
             var unique = new ToolRun<>(Capable.start(Capable.Options.defaults().withUnique(Capable.Unique.PID)),
                     (d, o, l) -> Capable.Event.decode(d, o))) {
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "nice", "-n", "-5", "true")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            var e = all.awaitOrFail(ev -> ev.pid() == p.pid() && ev.cap() == CAP_SYS_NICE, "the CAP_SYS_NICE check");
            assertThat(e.verdict()).isEqualTo("deny");
            assertThat(e.uid()).isEqualTo(65534);
            assertThat(e.comm()).isEqualTo("nice");
            assertThat(Capable.capName(e.cap())).isEqualTo("CAP_SYS_NICE");
            nobody.awaitOrFail(ev -> ev.pid() == p.pid() && ev.cap() == CAP_SYS_NICE, "the check (-u 65534 filter)");
            unique.awaitOrFail(ev -> ev.pid() == p.pid(), "the check (-u pid)");
            assertThat(nobody.stopAndCollect()).allMatch(ev -> ev.uid() == 65534);
            var seen = unique.stopAndCollect();
            assertThat(seen.stream().map(ev -> ev.pid() + "/" + ev.cap()).distinct().count()).isEqualTo(seen.size());
        }
    }
}
