package dev.vigil.tools.uprobe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** gethostlatency on a real getaddrinfo: `getent ahosts localhost` (a name in /etc/hosts) is seen with its pid and name. */
class GetHostLatencyTest {
    @Test
    void getentsGetaddrinfoOfANameInEtcHosts() throws Exception {
        KernelTests.assumeKernel();
        var options = new GetHostLatency.Options(ToolFilters.NONE, GetHostLatency.libc(null, (int) ProcessHandle.current().pid()));
        var tool = GetHostLatency.start(options);
        try (Collector<GetHostLatency.Event> c = new Collector<>(tool, GetHostLatency.Event::decode)) {
            Process getent = new ProcessBuilder("getent", "ahosts", "localhost").redirectErrorStream(true).start();
            getent.getInputStream().readAllBytes();
            assertThat(getent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(getent.exitValue()).isZero();
            GetHostLatency.Event e = c.await(x -> x.pid() == getent.pid());
            assertThat(e.host()).isEqualTo("localhost");
            assertThat(e.comm()).isEqualTo("getent");
            assertThat(e.latencyNs()).isPositive();
            assertThat(tool.lost()).isZero();
        }
    }
}
