package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * proc.pidns_init_start_ts on real processes (issue #10): a process in a new pid namespace reads its namespace's
 * init's start (the shell that is pid 1 there), a host process the host init's; both as a rule output renders them.
 */
class AgentPidNamespaceFieldTest {
    static final String MARK = "vigilpidns" + UUID.randomUUID().toString().substring(0, 8);
    static Agent agent;
    static Path dir, alerts;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        dir = Files.createTempDirectory(MARK);
        Path rules = Files.writeString(dir.resolve("pidns.yaml"), """
                - rule: Cat In A Pid Namespace Test
                  desc: test
                  condition: evt.type = execve and evt.dir = < and proc.name = cat and proc.cmdline contains %s
                  output: cat (pidns_init=%%proc.pidns_init_start_ts parent_ts=%%proc.ppid.ts vpid=%%proc.vpid pvpid=%%proc.pvpid args=%%proc.args)
                  priority: WARNING
                """.formatted(MARK));
        alerts = dir.resolve("alerts.json");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]").build();
        agent = Agent.start(cfg, new PrintStream(System.err, true));
    }

    @AfterAll
    static void stop() throws Exception {
        AlertFile.stop(agent, dir);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(String.join(" ", cmd)).doesNotContain("unshare:");
    }

    static long field(JsonNode alert, String name) { return Long.parseLong(alert.path("output_fields").path(name).asText()); }

    @Test
    void aNamespacesInitIsItsPidOneAndTheHostsIsInit() throws Exception {
        run("cat", "/dev/null", MARK + "-host");
        JsonNode host = AlertFile.await(alerts, "Cat In A Pid Namespace Test", f -> f.path("proc.args").asText().contains(MARK + "-host"));
        // sh is pid 1 in the new namespace, cat its child (the "; true" keeps sh from exec'ing cat in its place)
        run("unshare", "--pid", "--fork", "sh", "-c", "cat /dev/null " + MARK + "-ns; true");
        JsonNode ns = AlertFile.await(alerts, "Cat In A Pid Namespace Test", f -> f.path("proc.args").asText().contains(MARK + "-ns"));
        assertThat(field(ns, "proc.pvpid")).isEqualTo(1);
        assertThat(field(ns, "proc.vpid")).isGreaterThan(1);
        long nsInit = field(ns, "proc.pidns_init_start_ts");
        assertThat(nsInit).isEqualTo(field(ns, "proc.ppid.ts")).isPositive();

        long hostInit = field(host, "proc.pidns_init_start_ts");
        // the host's init started before this test's namespace init, and at boot: long before the namespace's sh
        assertThat(hostInit).isPositive().isLessThan(nsInit);
        assertThat(nsInit - hostInit).as("the namespace's init started now, the host's at boot").isGreaterThan(TimeUnit.SECONDS.toNanos(5));
    }
}
