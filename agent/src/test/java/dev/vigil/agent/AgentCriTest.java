package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.containers.ContainerdForAgentTests;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A containerd (CRI) container's very first process already carries its metadata in an alert: the agent holds
 * the container's first events while the resolver's CRI lookup is on its way (there is no CRI event stream to
 * warm the cache, unlike Docker's). The rule needs container.name, so without the hold it could not fire on
 * the first exec at all.
 */
class AgentCriTest {

    @TempDir Path dir;

    @Test
    void theFirstExecOfACriContainerCarriesItsMetadata() throws Exception {
        KernelTests.assumeKernel();
        Path rules = dir.resolve("cri.yaml");
        Files.writeString(rules, """
                - rule: Exec in the probe container
                  desc: the first process of a CRI container, with the metadata only the runtime knows
                  condition: evt.type in (execve, execveat) and evt.dir=< and container.name = "probe"
                  output: exec in %container.name (id=%container.id pod=%k8s.pod.name ns=%k8s.ns.name image=%container.image.repository proc=%proc.name)
                  priority: WARNING
                """);
        Path alerts = dir.resolve("alerts.json");
        try (ContainerdForAgentTests cri = ContainerdForAgentTests.start()) {
            AgentConfig cfg = AlertFile.agentWritingTo(alerts)
                    .override("rules_files=[" + rules + "]")
                    .override("container_engines.docker.enabled=false")
                    .override("container_engines.cri.sockets=[" + cri.socket() + "]")
                    .build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                String pod = cri.runPod("probe-pod-0", "probe-ns", "uid-probe");
                String id = cri.runContainer(pod, "probe", Map.of("app", "probe"), List.of("/bin/sh", "-c", "exec /bin/sleep 300"));
                JsonNode first = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (first == null && System.nanoTime() < deadline) {
                    for (JsonNode a : read(alerts)) {
                        JsonNode f = a.path("output_fields");
                        if (f.path("proc.name").asText().equals("sh")) first = f;
                    }
                    Thread.sleep(10);
                }
                assertThat(first).as("an alert for the container's first process (sh); alerts: " + read(alerts)).isNotNull();
                assertThat(first.path("container.name").asText()).isEqualTo("probe");
                assertThat(first.path("k8s.pod.name").asText()).isEqualTo("probe-pod-0");
                assertThat(first.path("k8s.ns.name").asText()).isEqualTo("probe-ns");
                assertThat(first.path("container.image.repository").asText()).endsWith("vigil/busybox");
                assertThat(id).startsWith(first.path("container.id").asText());
                assertThat(agent.metrics().containerHeld.get()).as("events held for the metadata").isPositive();
            }
        }
    }

    static List<JsonNode> read(Path alerts) throws Exception { return AlertFile.read(alerts); }
}
