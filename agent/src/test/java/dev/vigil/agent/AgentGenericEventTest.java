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
 * A rule naming a syscall Vigil has no decoder for ({@code evt.type = umask}: Falco's generic event) fires on a real
 * process's call, with the syscall's name, argument and return value; and the process's stdio, which the sensor did
 * not see being made (Java's pipe for stdin, a file for stdout), is read for proc.stdin/stdout from /proc.
 */
class AgentGenericEventTest {
    static final String MARK = "vigilgen" + UUID.randomUUID().toString().substring(0, 8);
    static Agent agent;
    static Path dir, alerts;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        dir = Files.createTempDirectory(MARK);
        Path rules = Files.writeString(dir.resolve("generic.yaml"), """
                - rule: Umask by the test
                  desc: a syscall without a decoder, named in evt.type
                  condition: evt.type = umask and evt.arg.arg0 = 23 and proc.cmdline contains %s
                  output: "umask %%evt.type mask=%%evt.arg.arg0 res=%%evt.rawres cat=%%evt.category stdin=%%proc.stdin.type stdout=%%proc.stdout.type:%%proc.stdout.name (%%proc.cmdline)"
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

    @Test
    void aRuleOnASyscallWithoutADecoderFires() throws Exception {
        Path out = dir.resolve("out.txt");
        // the shell's umask builtin is the umask syscall; 022 first (not the rule's), then 027; sleep keeps /proc there
        Process p = new ProcessBuilder("/bin/sh", "-c", "umask 022; umask 027; sleep 1; : " + MARK)
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        JsonNode a = AlertFile.await(alerts, "Umask by the test", f -> f.path("proc.cmdline").asText().contains(MARK));
        JsonNode f = a.path("output_fields");
        assertThat(f.path("evt.type").asText()).isEqualTo("umask");
        assertThat(f.path("evt.arg.arg0").asText()).isEqualTo("23");
        assertThat(f.path("evt.rawres").asLong()).as("the previous mask").isEqualTo(022);
        assertThat(f.path("evt.category").asText()).isEqualTo("other");
        assertThat(f.path("proc.stdin.type").asText()).isEqualTo("pipe");
        assertThat(f.path("proc.stdout.type").asText()).isEqualTo("file");
        assertThat(f.path("proc.stdout.name").asText()).isEqualTo(out.toString());
        assertThat(AlertFile.read(alerts).stream().filter(x -> x.path("rule").asText().equals("Umask by the test")))
                .as("umask 022 is not the rule's").hasSize(1);
    }
}
