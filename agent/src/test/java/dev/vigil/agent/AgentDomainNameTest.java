package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * fd.sip.name compared with a name, as upstream's "Contact K8S API Server From Container" does: the name written
 * in the condition is resolved (here through a line this test adds to /etc/hosts, marked, and removes in finally)
 * and a connect to its address matches; a connect to another address does not.
 */
class AgentDomainNameTest {
    static final String MARK = "vigil-dns-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aConnectToTheAddressANameResolvesToMatchesTheName() throws Exception {
        KernelTests.assumeKernel();
        Path dir = Files.createTempDirectory(MARK);
        String name = MARK + ".svc.cluster.local";
        Path hosts = Path.of("/etc/hosts");
        String line = "127.77.0.1 " + name + " # " + MARK;
        try (ServerSocket named = new ServerSocket(); ServerSocket other = new ServerSocket()) {
            named.bind(new InetSocketAddress(InetAddress.getByName("127.77.0.1"), 0));
            other.bind(new InetSocketAddress(InetAddress.getByName("127.77.0.2"), 0));
            Files.writeString(hosts, line + "\n", java.nio.file.StandardOpenOption.APPEND);
            Path rules = dir.resolve("rules.yaml");
            Files.writeString(rules, """
                    - rule: Contact the marked name
                      desc: a connect to the name's address
                      condition: evt.type=connect and fd.sip.name in (%s, unresolvable.%s.invalid)
                      output: contacted %%fd.sip.name at %%fd.sip
                      priority: WARNING
                    - rule: Contact not the marked name
                      desc: the same on the other side
                      condition: evt.type=connect and fd.sip.name != %s and fd.sip=127.77.0.2
                      output: contacted %%fd.sip
                      priority: WARNING
                    """.formatted(name, MARK, name));
            Path alerts = dir.resolve("alerts.json");
            AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]").build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                connect("127.77.0.2", other.getLocalPort());
                connect("127.77.0.1", named.getLocalPort());
                JsonNode a = AlertFile.await(alerts, "Contact the marked name", f -> true);
                assertThat(a.path("output_fields").path("fd.sip.name").asText()).isEqualTo(name);
                assertThat(a.path("output_fields").path("fd.sip").asText()).isEqualTo("127.77.0.1");
                AlertFile.await(alerts, "Contact not the marked name", f -> true);
                List<JsonNode> all = AlertFile.read(alerts);
                assertThat(all).filteredOn(x -> x.path("rule").asText().equals("Contact the marked name")).hasSize(1);
                assertThat(all).filteredOn(x -> x.path("rule").asText().equals("Contact not the marked name")).hasSize(1);
            }
        } finally {
            List<String> kept = Files.readAllLines(hosts).stream().filter(l -> !l.contains(MARK)).toList();
            Files.writeString(hosts, String.join("\n", kept) + "\n");
            AlertFile.deleteTree(dir);
        }
    }

    /** A connect from a child process (the agent does not trace its own JVM). */
    static void connect(String ip, int port) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/" + ip + "/" + port).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }
}
