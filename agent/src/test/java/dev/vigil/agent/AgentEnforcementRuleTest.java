package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.TestBinaries;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enforcement decisions are events for the rules engine ({@code evt.type = enforcement}): a Falco-style rule alerts
 * when a policy killed a process, and stays silent for a decision it does not ask about (a monitored one); a
 * {@code program} response to that alert gets the alert as JSON on its stdin.
 */
class AgentEnforcementRuleTest {
    @TempDir
    Path dir;

    @Test
    void aRuleAlertsOnAKillAndNotOnAMonitoredDecision() throws Exception {
        KernelTests.assumeKernel();
        String mark = "enfrule" + UUID.randomUUID().toString().substring(0, 8);
        Path denied = TestBinaries.marker(dir.resolve("denied"), "marker");
        Path watched = TestBinaries.marker(dir.resolve("watched"), "marker");
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: no-denied}
                spec:
                  host: true
                  rules:
                  - name: no-run
                    exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                    action: Deny
                    fallback: Sigkill
                ---
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: watch-only}
                spec:
                  host: true
                  mode: monitor
                  rules:
                  - name: would-kill
                    exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                    action: Sigkill
                """.formatted(denied, watched));
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                - rule: Process killed by enforcement
                  desc: an EnforcementPolicy killed a process
                  condition: evt.type = enforcement and evt.arg.outcome = killed
                  output: "killed %proc.name (pid %proc.pid) by policy %evt.arg.policy rule %evt.arg.rule at %evt.arg.path"
                  priority: WARNING
                """);
        Path alerts = dir.resolve("alerts.json"), handed = dir.resolve("program-stdin.json");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]")
                .override("responses=[{name: page, rules: [Process killed by enforcement], action: program, program: 'cat > "
                        + handed + ".tmp && mv " + handed + ".tmp " + handed + "'}]")
                .override("policy_files=[" + policy + "]").override("policy.pin_root=/sys/fs/bpf/vigil-test-" + mark)
                .override("policy_unload_on_exit=true").build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            assertThat(TestBinaries.status(java.util.List.of(watched.toString(), dir.resolve("m0").toString()))).as("monitored: runs").isZero();
            assertThat(TestBinaries.status(java.util.List.of(denied.toString(), dir.resolve("m1").toString()))).isEqualTo(137);
            JsonNode a = AlertFile.await(alerts, "Process killed by enforcement", f -> true);
            // proc.name is the caller's name at the exec (the JVM's jspawnhelper here): the new image never ran
            assertThat(a.path("output").asText()).containsPattern("killed \\S+ \\(pid \\d+\\) by policy no-denied rule no-run at "
                    + java.util.regex.Pattern.quote(denied.toString()));
            assertThat(a.path("priority").asText()).isEqualTo("Warning");
            // the monitored decision came first and went through the same rules: no alert for it
            assertThat(AlertFile.awaitLine(alerts, "\"policy_name\":\"watch-only\"")).contains("\"outcome\":\"monitored\"");
            assertThat(AlertFile.read(alerts)).filteredOn(n -> n.path("rule").asText().equals("Process killed by enforcement"))
                    .singleElement();
            AlertFile.await(alerts, "Vigil internal: response executed", f -> f.path("response").asText().equals("page"));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(handed)) { // the program runs on its own thread after the response is reported
                assertThat(System.nanoTime()).as("the program wrote what it read").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(Files.readString(handed)).contains("\"rule\":\"Process killed by enforcement\"", "by policy no-denied");
        }
    }

    /** The same rule on a kill inside a container, and a {@code stop_container} response to it (the Docker API). */
    @Test
    void aKillInAContainerStopsThatContainerAndNotAnother() throws Exception {
        KernelTests.assumeKernel();
        String mark = "enfstop" + UUID.randomUUID().toString().substring(0, 8);
        TestBinaries.marker(dir.resolve("t"), "marker");
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: labelled}
                spec:
                  containerSelector:
                    matchLabels: {vigil-test: %s}
                  rules:
                  - name: no-marker
                    exec: {matchBinaries: [{operator: In, values: ["/t/marker"]}]}
                    action: Deny
                    fallback: Sigkill
                """.formatted(mark));
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                - rule: Process killed by enforcement
                  desc: an EnforcementPolicy killed a process
                  condition: evt.type = enforcement and evt.arg.outcome = killed
                  output: "killed %proc.name by %evt.arg.policy in %container.id"
                  priority: WARNING
                """);
        Path alerts = dir.resolve("alerts.json");
        try (dev.vigil.containers.DockerForAgentTests docker = dev.vigil.containers.DockerForAgentTests.start()) {
            String selected = mark + "-sel", other = mark + "-other";
            for (String name : java.util.List.of(selected, other)) {
                java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("run", "-d", "--network", "none", "--name", name,
                        "-v", dir.resolve("t") + ":/t:ro"));
                if (name.equals(selected)) a.addAll(java.util.List.of("--label", "vigil-test=" + mark));
                a.addAll(java.util.List.of(dev.vigil.containers.DockerForAgentTests.IMAGE, "sleep", "600"));
                docker.docker(a.toArray(String[]::new));
            }
            AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]")
                    .override("policy_files=[" + policy + "]").override("policy.pin_root=/sys/fs/bpf/vigil-test-" + mark)
                    .override("policy_unload_on_exit=true").override("container_engines.docker.socket=" + docker.socket())
                    .override("responses=[{name: stop-it, rules: [Process killed by enforcement], action: stop_container}]").build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                int status;
                // the container is selected once the engine has described it
                while ((status = AgentEnforceContainerTest.exec(docker, selected, "/tmp/m")) != 137) {
                    assertThat(System.nanoTime()).as("never killed in the labelled container (last %d)", status).isLessThan(deadline);
                    Thread.sleep(50);
                }
                JsonNode done = AlertFile.await(alerts, "Vigil internal: response executed", f -> f.path("response").asText().equals("stop-it"));
                String id = done.path("output_fields").path("container_id").asText();
                assertThat(docker.docker("inspect", "-f", "{{.Id}}", selected)).startsWith(id);
                deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (!docker.docker("inspect", "-f", "{{.State.Running}}", selected).equals("false")) {
                    assertThat(System.nanoTime()).as("the container was stopped").isLessThan(deadline);
                    Thread.sleep(100);
                }
                assertThat(docker.docker("inspect", "-f", "{{.State.Running}}", other)).as("the other container runs").isEqualTo("true");
            }
        }
    }
}
