package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's rule file, edited while the agent runs: the syscall set comes from the rules, a change is picked up
 * without a restart, a broken edit keeps the running rules; identical alerts are deduplicated; the alert file is
 * reopened for log rotation.
 */
class AgentReloadTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    String rule(String name, String suffix) {
        return "- rule: " + name + "\n  desc: test\n  condition: evt.type in (open, openat) and fd.directory = " + dir
                + " and fd.name endswith " + suffix + "\n  output: opened %fd.name by %proc.name\n  priority: WARNING\n\n";
    }

    List<JsonNode> alerts(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String l : Files.readAllLines(file)) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }

    JsonNode await(Path file, Predicate<JsonNode> p, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (JsonNode a : alerts(file)) if (p.test(a)) return a;
            Thread.sleep(20);
        }
        throw new AssertionError("no such alert; alerts: " + alerts(file));
    }

    static void cat(Path... files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("cat"));
        for (Path f : files) cmd.add(f.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    static int post(Agent agent, String path, String auth) throws Exception {
        try (java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient()) {
            var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + agent.webPort() + path))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
            if (auth != null) b.header("Authorization", auth);
            return c.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    static Predicate<JsonNode> rule(String name) { return a -> a.path("rule").asText().equals(name); }

    @Test
    void editedRulesReloadABrokenEditKeepsTheRunningSetDuplicatesAreSuppressed() throws Exception {
        KernelTests.assumeKernel();
        Path rules = dir.resolve("my_rules.yaml");
        Files.writeString(rules, rule("first open", ".a"));
        Path out = dir.resolve("alerts.json");
        AgentConfig cfg = AgentConfig.builder().override("rules_files=" + rules).override("json_output=true")
                .override("stdout_output.enabled=false").override("file_output.enabled=true")
                .override("file_output.filename=" + out).override("webserver.listen_port=0").override("webserver.token=s3cret")
                .override("outputs.dedup_seconds=30").build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            assertThat(agent.selectedTypes()).containsExactlyInAnyOrder(EventType.OPEN, EventType.OPENAT);
            Path a = dir.resolve("x.a");
            Files.writeString(a, "a");
            cat(a);
            await(out, rule("first open"), 2);
            cat(a, a, a); // the same output from the same (new) process: "opened x.a by cat" three times
            cat(a);
            Thread.sleep(500);
            assertThat(alerts(out).stream().filter(rule("first open"))).hasSize(1);
            assertThat(agent.alerts().ruleStats().get("first open").deduplicated.get()).isEqualTo(4);

            // an edit: a second rule, picked up by the watcher
            Files.writeString(rules, rule("first open", ".a") + rule("second open", ".b"));
            await(out, x -> x.path("rule").asText().equals("Vigil internal: rules reloaded"), 5);
            Path b = dir.resolve("y.b");
            Files.writeString(b, "b");
            cat(b);
            JsonNode second = await(out, rule("second open"), 2);
            assertThat(second.path("output_fields").path("fd.name").asText()).isEqualTo(b.toString());

            // POST /reload needs the token; with it, a reload happens now
            assertThat(post(agent, "/reload", null)).isEqualTo(401);
            assertThat(post(agent, "/reload", "Bearer wrong")).isEqualTo(401);
            assertThat(post(agent, "/reload", "Bearer s3cret")).isEqualTo(200);
            await(out, x -> x.path("output_fields").path("trigger").asText().equals("POST /reload"), 2);

            // a broken edit: reported with its position, the running rules stay
            Files.writeString(rules, rule("first open", ".a") + "- rule: broken\n  condition: evt.type = (\n");
            JsonNode failed = await(out, x -> x.path("rule").asText().equals("Vigil internal: rules reload failed"), 5);
            assertThat(failed.path("output_fields").path("error").asText()).contains(rules + ":");
            assertThat(failed.path("priority").asText()).isEqualTo("Error");
            Path b2 = dir.resolve("z.b");
            Files.writeString(b2, "b");
            cat(b2);
            await(out, x -> rule("second open").test(x) && x.path("output_fields").path("fd.name").asText().equals(b2.toString()), 2);

            // log rotation: move the file away, SIGUSR1's action, the next alert lands in a new file
            Path rotated = dir.resolve("alerts.json.1");
            Files.move(out, rotated);
            agent.reopenOutputs();
            Thread.sleep(400);
            Path b3 = dir.resolve("w.b");
            Files.writeString(b3, "b");
            cat(b3);
            await(out, x -> x.path("output_fields").path("fd.name").asText().equals(b3.toString()), 2);
            assertThat(Files.readString(rotated)).doesNotContain(b3.toString());
        }
    }
}
