package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco's webserver.threadiness: the number of threads serving requests (0: one per online CPU). */
class AgentWebThreadsTest {
    @TempDir
    Path dir;

    /** Live threads of the web server on {@code port}. */
    static long webThreads(int port) {
        String prefix = "vigil-web-" + port + "-";
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    int served(String threadiness) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules-" + threadiness + ".yaml"), "- rule: none\n  desc: test\n"
                + "  condition: evt.type = openat and fd.name = /nonexistent/vigil-web-threads\n  output: x\n  priority: WARNING\n");
        AgentConfig cfg = AlertFile.agentWritingTo(dir.resolve("events.json")).override("rules_files=[" + rules + "]")
                .override("webserver.enabled=true").override("webserver.listen_port=0")
                .override("webserver.threadiness=" + threadiness).build();
        int port;
        long threads;
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            port = agent.webPort();
            // a fixed pool starts a thread per request until it has all of them
            for (int i = 0; i < 12; i++) assertThat(AgentFalcoMetricsTest.get(port, "/healthz")).contains("status");
            threads = webThreads(port);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (webThreads(port) > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(webThreads(port)).as("threads left after the agent stopped").isZero();
        return (int) threads;
    }

    @Test
    void threadinessIsTheNumberOfRequestThreads() throws Exception {
        KernelTests.assumeKernel();
        assertThat(served("3")).isEqualTo(3);
        assertThat(served("0")).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
