package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import dev.vigil.policy.cilium.NetpolFixture;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Falco-style rule on {@code evt.type=netpol_deny}, with a CiliumNetworkPolicy enforced on a real Docker container
 * (--network none plus a test veth): the container's denied connect raises the rule's alert, with the verdict,
 * direction, tuple, policy and the container and process in its fields; the allowed connect made just before raises
 * nothing (rule events are evaluated in flow order, so once the denied one's alert is out the allowed one's was
 * evaluated too).
 */
class AgentNetpolRuleTest {
    static final String RULE = "Network policy denied a connection";

    @TempDir
    Path dir;

    @Test
    void aRuleOnNetpolDenyFiresForADeniedConnectAndNotForAnAllowedOne() throws Exception {
        KernelTests.assumeKernel();
        try (NetpolFixture fx = new NetpolFixture()) {
            String app = "web-" + fx.unique;
            Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: rule-egress
                    spec:
                      endpointSelector:
                        matchLabels:
                          app: %s
                      egress:
                      - toCIDR:
                        - 203.0.113.0/24
                        toPorts:
                        - ports:
                          - port: "8080"
                            protocol: TCP
                    """.formatted(app));
            Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                    - rule: %s
                      desc: a connection a network policy denied
                      condition: evt.type = netpol_deny and evt.arg.verdict = DROPPED
                      output: >-
                        network policy denied %%evt.arg.direction %%fd.l4proto %%fd.name (policy=%%evt.arg.policy
                        rule=%%evt.arg.rule reason=%%evt.arg.reason sip=%%fd.sip sport=%%fd.sport proc=%%proc.name
                        pid=%%proc.pid container=%%container.id name=%%container.name)
                      priority: WARNING
                    """.formatted(RULE));
            Path alerts = dir.resolve("alerts.json");
            AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]")
                    .override("policy_files=[" + policy + "]")
                    .override("policy.pin_root=" + fx.pinRoot).override("policy.cgroup_root=" + fx.cgroupRoot)
                    .override("policy_unload_on_exit=true")
                    .override("container_engines.docker.socket=" + fx.docker.socket).build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                assertThat(agent.selectedTypes()).contains(EventType.NETPOL_DENY);
                assertThat(agent.uncapturableTypes()).doesNotContain(EventType.NETPOL_DENY);
                NetpolFixture.Box web = fx.start("app=" + app).wire();
                awaitKnown(agent, web.id);

                assertThat(web.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused"); // allowed: the host answers RST
                assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM");   // denied by default deny

                JsonNode denied = awaitAlert(alerts, f -> f.path("fd.sport").asInt() == 9000);
                JsonNode f = denied.path("output_fields");
                assertThat(denied.path("priority").asText()).isEqualTo("Warning");
                assertThat(f.path("evt.arg.direction").asText()).isEqualTo("EGRESS");
                assertThat(f.path("evt.arg.policy").asText()).isEqualTo("rule-egress");
                assertThat(f.path("evt.arg.reason").asText()).isEqualTo("POLICY_DENIED");
                assertThat(f.path("fd.l4proto").asText()).isEqualTo("tcp");
                assertThat(f.path("fd.sip").asText()).isEqualTo(NetpolFixture.HOST);
                assertThat(f.path("container.id").asText()).isEqualTo(web.id.substring(0, 12));
                assertThat(f.path("proc.name").asText()).isEqualTo("bash");
                assertThat(f.path("proc.pid").asLong()).isPositive();
                assertThat(AlertFile.read(alerts).stream().filter(a -> a.path("rule").asText().equals(RULE)))
                        .as("the allowed connect (port 8080) raised nothing").allMatch(a -> a.path("output_fields").path("fd.sport").asInt() == 9000);
            }
        }
    }

    /** Until the agent's enforcer has written the container's endpoint (Docker's events are asynchronous). */
    static void awaitKnown(Agent agent, String id) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (agent.policies().engine().show().getOrDefault("CiliumNetworkPolicy", List.of()).stream()
                .noneMatch((Map<String, Object> m) -> id.startsWith(String.valueOf(m.get("id"))))) {
            assertThat(System.nanoTime()).as("container %s known to the enforcer", id).isLessThan(end);
            Thread.sleep(10);
        }
    }

    static JsonNode awaitAlert(Path alerts, java.util.function.Predicate<JsonNode> fields) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (JsonNode a : AlertFile.read(alerts)) {
                if (a.path("rule").asText().equals(RULE) && fields.test(a.path("output_fields"))) return a;
            }
            assertThat(System.nanoTime()).as("a '%s' alert; alerts: %s", RULE, AlertFile.read(alerts)).isLessThan(end);
            Thread.sleep(10);
        }
    }
}
