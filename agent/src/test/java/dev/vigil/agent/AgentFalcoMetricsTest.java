package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco's metrics: the Prometheus names and labels beside Vigil's, /versions, the metrics snapshot alert and file. */
class AgentFalcoMetricsTest {
    @TempDir
    Path dir;

    static String get(int port, String path) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void falcoMetricNamesVersionsAndTheMetricsSnapshot() throws Exception {
        KernelTests.assumeKernel();
        Path alerts = dir.resolve("events.json");
        Path stats = dir.resolve("stats.jsonl");
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "- rule: metrics open\n  desc: test\n"
                + "  condition: evt.type = openat and fd.directory = " + dir + "\n  output: opened %fd.name\n"
                + "  priority: WARNING\n  tags: [filesystem, mitre_discovery]\n");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules + "]")
                .override("webserver.enabled=true").override("webserver.listen_port=0")
                .override("metrics.enabled=true").override("metrics.interval=300ms")
                .override("metrics.output_file=" + stats).build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            Files.writeString(dir.resolve("x"), "x");
            AgentReloadTest.cat(dir.resolve("x"));
            AlertFile.await(alerts, "metrics open", f -> true);
            String metrics = get(agent.webPort(), "/metrics");
            TreeSet<String> names = new TreeSet<>();
            for (String l : metrics.split("\n")) {
                if (l.startsWith("falcosecurity_")) names.add(l.replaceAll("[{ ].*", ""));
            }
            assertThat(String.join("\n", names) + "\n").isEqualTo(Files.readString(Path.of("src/test/resources/falco-0.44/metrics-names.txt")));
            assertThat(metrics).contains("vigil_up 1"); // Vigil's own beside
            assertThat(metrics).containsPattern("falcosecurity_falco_rules_matches_total\\{priority=\"4\",rule_name=\"metrics open\","
                    + "source=\"syscall\",tag_filesystem=\"true\",tag_mitre_discovery=\"true\"} [1-9]");
            assertThat(metrics).contains("falcosecurity_falco_version_info{version=\"0.44.0\"} 1");
            JsonNode v = new ObjectMapper().readTree(get(agent.webPort(), "/versions"));
            assertThat(v.path("engine_version_semver").asText()).isEqualTo("0.62.0");
            assertThat(v.path("falco_version").asText()).isEqualTo("0.44.0");
            assertThat(v.has("libs_version") && v.has("plugin_api_version") && v.has("driver_api_version")).isTrue();

            // a snapshot taken after the match (an earlier one has no count for the rule yet)
            JsonNode snap = AlertFile.await(alerts, "Falco internal: metrics snapshot", f -> f.has("falco.rules.metrics open"));
            assertThat(snap.path("priority").asText()).isEqualTo("Informational");
            assertThat(snap.path("source").asText()).isEqualTo("internal");
            assertThat(snap.path("output").asText()).endsWith(": Informational Falco metrics snapshot");
            JsonNode f = snap.path("output_fields");
            for (String k : new String[] {"evt.source", "falco.version", "falco.start_ts", "falco.duration_sec",
                "falco.hostname", "falco.host_num_cpus", "falco.kernel_release", "falco.cpu_usage_perc", "falco.memory_rss",
                "falco.memory_vsz", "falco.n_threads", "scap.n_evts", "falco.rules.metrics open"}) {
                assertThat(f.has(k)).as(k).isTrue();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((!Files.exists(stats) || Files.readAllLines(stats).isEmpty()) && System.nanoTime() < deadline) Thread.sleep(20);
            JsonNode line = new ObjectMapper().readTree(Files.readAllLines(stats).get(0));
            assertThat(line.path("sample").asLong()).isEqualTo(1);
            assertThat(line.path("output_fields").path("falco.version").asText()).isEqualTo("0.44.0");
        }
    }
}
