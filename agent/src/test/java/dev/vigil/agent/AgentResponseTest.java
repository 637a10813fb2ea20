package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.ConfigException;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code responses:} on the real kernel with the bundled stable Falco rules: a shell spawned by a process named like
 * a web server ("Run shell untrusted") is killed; the same shell under a near-miss name is left alone.
 */
class AgentResponseTest {
    @TempDir
    Path dir;

    @Test
    void badResponsesAreRefusedWithTheirPlace() throws Exception {
        Path cfg = Files.writeString(dir.resolve("vigil.yaml"), "responses:\n  - rules: [x]\n    action: explode\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(cfg, true).build()).isInstanceOf(ConfigException.class)
                .hasMessage(cfg + ":2:3: responses[0].action must be kill, kill_process_group, stop_container, kill_container or program, not 'explode'");
        Path all = Files.writeString(dir.resolve("all.yaml"), "responses:\n  - action: kill\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(all, true).build()).hasMessageContaining("a response to every alert is refused");
    }

    @Test
    void aShellUnderAWebServerIsKilledANearMissIsNot() throws Exception {
        KernelTests.assumeKernel();
        Path alerts = dir.resolve("alerts.json");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts)
                .override("responses=[{name: no-web-shells, rules: [Run shell untrusted], action: kill}]").build();
        String mark = "resp" + UUID.randomUUID().toString().substring(0, 8);
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path nginx = Files.copy(Path.of("/bin/bash"), bin.resolve("nginx"), StandardCopyOption.REPLACE_EXISTING);
            Path nearMiss = Files.copy(Path.of("/bin/bash"), bin.resolve("ngimx"), StandardCopyOption.REPLACE_EXISTING);
            // the near miss first: events are evaluated in order, so once the real one is acted on, the miss was seen
            Process miss = new ProcessBuilder(nearMiss.toString(), "-c", "sh -c 'echo " + mark + "'; true")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(miss.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(miss.exitValue()).isZero();
            // sh blocks reading stdin (no child of its own) until the response kills it
            Process hit = new ProcessBuilder(nginx.toString(), "-c", "sh -c 'read x; echo " + mark + "'; exit $?").start();
            assertThat(hit.waitFor(20, TimeUnit.SECONDS)).as("the shell was killed").isTrue();
            assertThat(hit.exitValue()).as("nginx saw its sh killed by SIGKILL").isEqualTo(128 + 9);
            JsonNode done = AlertFile.await(alerts, "Vigil internal: response executed", f -> f.path("response").asText().equals("no-web-shells"));
            JsonNode shell = AlertFile.await(alerts, "Run shell untrusted", f -> f.path("proc.cmdline").asText().contains(mark)
                    && f.path("proc.pname").asText().equals("nginx"));
            assertThat(done.path("output_fields").path("alert_rule").asText()).isEqualTo("Run shell untrusted");
            assertThat(shell).isNotNull();
            long latencyUs = done.path("output_fields").path("latency_us").asLong();
            System.err.println("response latency (syscall to kill): " + latencyUs + " us");
            assertThat(AlertFile.read(alerts)).as("nothing acted on the near miss").noneMatch(a ->
                    a.path("rule").asText().equals("Run shell untrusted") && a.path("output_fields").path("proc.pname").asText().equals("ngimx"));
            assertThat(agent.responder().acted()).isEqualTo(1);
        }
    }
}
