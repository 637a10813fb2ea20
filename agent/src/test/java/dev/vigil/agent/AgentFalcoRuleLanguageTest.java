package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule file written for Falco 0.44 (engine 0.62) on the real kernel: list modifiers in the condition and in an
 * exception's comps, concat() and basename() in the condition, join() in the output.
 */
class AgentFalcoRuleLanguageTest {
    @TempDir
    Path dir;

    @Test
    void modifiersAndMultiValueTransformersOnLiveEvents() throws Exception {
        KernelTests.assumeKernel();
        Path alerts = dir.resolve("events.json");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                - required_engine_version: 0.62.0
                - list: readers
                  items: [cat, head]
                - rule: read with modifiers
                  desc: test
                  condition: >
                    evt.type = openat and proc.name = anyof (readers)
                    and fd.name startswith oneof ("%1$s/", /nonexistent/)
                    and concat(fd.directory, "/", basename(fd.name)) startswith "%1$s/"
                  output: >-
                    read %%join("|", (proc.name, fd.name))
                  priority: WARNING
                  exceptions:
                    - name: quiet
                      fields: [proc.name, fd.name]
                      comps: [=, endswith anyof]
                      values:
                        - [cat, [.skip, .ignore]]
                """.formatted(dir));
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]").build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            Path quiet = Files.writeString(dir.resolve("y.skip"), "y");
            Path loud = Files.writeString(dir.resolve("x"), "x");
            AgentReloadTest.cat(quiet);
            AgentReloadTest.cat(loud);
            String joined = "cat|" + loud;
            JsonNode a = AlertFile.await(alerts, "read with modifiers", f -> f.path("join(\"|\", (proc.name, fd.name))").asText().equals(joined));
            assertThat(a.path("output").asText()).contains("read " + joined);
            // the exception's "endswith anyof" kept the earlier open of y.skip quiet
            assertThat(AlertFile.read(alerts)).noneMatch(x -> x.path("output").asText().contains("y.skip"));
        }
    }
}
