package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attack actions whose upstream rules read process state the sensor used to miss (issue #10): the environment
 * (proc.env: an HTTP proxy for curl, GLIBC_TUNABLES), and the process group a new terminal gives (proc.tty and
 * proc.is_vpgid_leader: Basic Interactive Reconnaissance). The agent runs the stable, incubating and sandbox rule
 * files unmodified (rule_matching=all); each action must raise its rule, and its look-alike without the telling
 * state must not.
 */
class AgentFidelityScenarioTest {
    static final String MARK = "vigilfid" + UUID.randomUUID().toString().substring(0, 8);
    static Agent agent;
    static Path dir, alerts;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        dir = Files.createTempDirectory(MARK);
        List<String> files = new ArrayList<>();
        for (String r : new String[] {Agent.BUNDLED_RULES, "/rules/falco-incubating_rules.yaml", "/rules/falco-sandbox_rules.yaml"}) {
            Path to = dir.resolve(Path.of(r).getFileName().toString());
            try (InputStream in = Agent.class.getResourceAsStream(r)) {
                assertThat(in).as(r).isNotNull();
                Files.copy(in, to);
            }
            files.add(to.toString());
        }
        alerts = dir.resolve("alerts.json");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rule_matching=all")
                .override("rules_files=[" + String.join(", ", files) + "]").build();
        agent = Agent.start(cfg, new PrintStream(System.err, true));
    }

    @AfterAll
    static void stop() throws Exception {
        AlertFile.stop(agent, dir);
    }

    static void run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }

    static String text(JsonNode f, String name) { return f.path(name).asText(); }

    static long count(String rule, String mark) throws Exception {
        return AlertFile.read(alerts).stream().filter(a -> a.path("rule").asText().equals(rule)
                && a.path("output").asText().contains(mark)).count();
    }

    @Test
    void curlWithAnHttpProxyInItsEnvironment() throws Exception {
        // a curl that goes nowhere: /bin/true named curl (the rule reads proc.name and proc.env)
        Path bin = Files.createDirectories(dir.resolve("proxy"));
        Path curl = Files.copy(Path.of("/bin/true"), bin.resolve("curl"), StandardCopyOption.REPLACE_EXISTING);
        String rule = "Program run with disallowed http proxy env";
        run(Map.of(), curl.toString(), MARK + "-noproxy");
        run(Map.of("HTTP_PROXY", "http://198.51.100.7:3128"), curl.toString(), MARK + "-proxy");
        JsonNode a = AlertFile.await(alerts, rule, f -> text(f, "proc.cmdline").contains(MARK + "-proxy"));
        assertThat(text(a.path("output_fields"), "proc.env")).contains("HTTP_PROXY=http://198.51.100.7:3128");
        assertThat(count(rule, MARK + "-noproxy")).isZero();
    }

    @Test
    void glibcTunablesInTheEnvironment() throws Exception {
        String rule = "Potential Local Privilege Escalation via Environment Variables Misuse";
        run(Map.of(), "/bin/echo", MARK + "-plain");
        run(Map.of("GLIBC_TUNABLES", "glibc.malloc.mxfast=0"), "/bin/echo", MARK + "-tunables");
        JsonNode a = AlertFile.await(alerts, rule, f -> text(f, "proc.cmdline").contains(MARK + "-tunables"));
        assertThat(text(a.path("output_fields"), "proc.env")).contains("GLIBC_TUNABLES=glibc.malloc.mxfast=0");
        assertThat(count(rule, MARK + "-plain")).isZero();
    }

    @Test
    void reconnaissanceOnANewTerminal() throws Exception {
        String rule = "Basic Interactive Reconnaissance";
        // the same command without a terminal, then as a terminal's command (script: a new session and tty)
        run(Map.of(), "/usr/bin/id", "-u", "-n");
        run(Map.of("VIGIL_MARK", MARK), "/usr/bin/script", "-qefc", "exec /usr/bin/whoami", "/dev/null");
        JsonNode a = AlertFile.await(alerts, rule, f -> text(f, "proc.name").equals("whoami") && f.path("proc.tty").asLong() != 0);
        assertThat(text(a.path("output_fields"), "proc.pname")).isEqualTo("script");
        assertThat(AlertFile.read(alerts).stream().filter(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "proc.name").equals("id"))).isEmpty();
    }
}
