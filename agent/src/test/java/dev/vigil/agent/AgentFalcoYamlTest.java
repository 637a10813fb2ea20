package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent started from Falco 0.44's stock falco.yaml (only the places Falco's defaults name are overridden), and
 * Falco's syscall_event_drops on a forced drop: a tiny ring and a flood of opens.
 */
class AgentFalcoYamlTest {
    @TempDir
    Path dir;

    Path rules(String name) throws Exception {
        return Files.writeString(dir.resolve("rules.yaml"), "- required_engine_version: 0.62.0\n- rule: " + name
                + "\n  desc: test\n  condition: evt.type = openat and fd.directory = " + dir
                + "\n  output: opened %fd.name\n  priority: WARNING\n  tags: [T1]\n");
    }

    @Test
    void startsFromTheStockFalcoYamlAndSaysOnceWhatItIgnores() throws Exception {
        KernelTests.assumeKernel();
        Path alerts = dir.resolve("events.json");
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
        AgentConfig cfg = AgentConfig.builder().file(FalcoYamlTest.STOCK, true)
                .override("rules_files=[" + rules("stock open") + "]")
                .override("webserver.listen_address=127.0.0.1").override("webserver.listen_port=0")
                .override("stdout_output.enabled=false").override("syslog_output.enabled=false").override("log_syslog=false")
                .override("file_output.enabled=true").override("file_output.filename=" + alerts).override("json_output=true")
                .override("json_include_message_property=true").override("json_include_tags_property=false")
                .override("time_format_iso_8601=true").override("base_syscalls.custom_set=[ptrace, nosuchcall]")
                .override("static_fields={env: prod, pct: \"100%\"}")
                .override("append_output[1]={match: {tag: T1}, extra_output: \"pid %proc.pid\", extra_fields: [proc.name]}")
                .build();
        try (Agent agent = Agent.start(cfg, log)) {
            Files.writeString(dir.resolve("x"), "x");
            AgentReloadTest.cat(dir.resolve("x")); // the agent ignores its own process: another one opens
            JsonNode a = AlertFile.await(alerts, "stock open", f -> f.path("fd.name").asText().equals(dir.resolve("x").toString()));
            assertThat(a.path("output").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z: Warning opened .* pid \\d+");
            assertThat(a.path("message").asText()).startsWith("opened " + dir.resolve("x") + " container_id=");
            assertThat(a.has("tags")).isFalse();
            assertThat(a.path("output_fields").path("proc.name").asText()).isEqualTo("cat");
            assertThat(a.path("output_fields").has("container.id")).isTrue(); // suggested_output
            assertThat(a.path("output_fields").path("env").asText()).isEqualTo("prod"); // static_fields
            assertThat(a.path("output_fields").path("pct").asText()).isEqualTo("100%");
            assertThat(agent.webPort()).isPositive();
            assertThat(agent.selectedTypes()).contains(dev.vigil.events.EventType.PTRACE, dev.vigil.events.EventType.OPENAT);
        }
        String text = logBytes.toString(StandardCharsets.UTF_8);
        assertThat(text).containsOnlyOnce("falco.yaml key 'plugins_hostinfo' is not supported, ignored");
        assertThat(text).contains(FalcoYamlTest.STOCK + ":").contains("'engine.kind' is not supported");
        assertThat(text).contains("base_syscalls.custom_set: [nosuchcall] are not events Vigil decodes, not captured");
    }

    @Test
    void syscallEventDropsExitOnAForcedDropWithTheDropAlertAsFalcos() throws Exception {
        KernelTests.assumeKernel();
        Path alerts = dir.resolve("events.json");
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rules_files=[" + rules("flood open") + "]")
                .override("sensor.ring_buffer_bytes=4096").override("syscall_event_drops.threshold=0")
                .override("syscall_event_drops.actions=[log, alert, exit]")
                // a real drop from the tiny ring is not certain on an idle machine (CI saw none in 30 s): Falco's own
                // simulate_drops adds one a second, so the exit action and the alert's shape are always exercised
                .override("syscall_event_drops.simulate_drops=true").override("log_level=error").build();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        try (Agent agent = Agent.start(cfg, new PrintStream(logBytes, true, StandardCharsets.UTF_8))) {
            Path f = Files.writeString(dir.resolve("f"), "f");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Four flooding threads on a 2-core machine: openat faster than one reader drains a 4 KiB ring (one
            // thread alone was drained in time on an idle machine).
            List<Thread> flood = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                flood.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (!agent.awaitStopped(0) && System.nanoTime() < deadline) {
                            for (int i = 0; i < 2000; i++) Files.newInputStream(f).close();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (Thread t : flood) t.join();
            assertThat(agent.awaitStopped(5000)).as("the agent stopped itself").isTrue();
            assertThat(agent.fatal()).startsWith("Falco internal: syscall event drop. ").endsWith("Exiting (syscall_event_drops.actions: exit)");
        }
        JsonNode drop = AlertFile.await(alerts, "Falco internal: syscall event drop", x -> true);
        assertThat(drop.path("priority").asText()).isEqualTo("Critical");
        assertThat(drop.path("source").asText()).isEqualTo("internal");
        assertThat(drop.path("output").asText()).contains("Falco internal: syscall event drop. ")
                .contains(" system calls dropped in last second. (ebpf_enabled=1 n_drops=");
        JsonNode f = drop.path("output_fields");
        for (String k : new String[] {"ebpf_enabled", "n_drops", "n_drops_buffer_total", "n_drops_buffer_open_exit",
            "n_drops_buffer_clone_fork_exit", "n_drops_buffer_execve_exit", "n_drops_bug", "n_drops_page_faults",
            "n_drops_scratch_map", "n_evts"}) {
            assertThat(f.has(k)).as(k).isTrue();
        }
        assertThat(f.path("n_drops").asLong()).isPositive();
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).contains("vigil: Falco internal: syscall event drop. ");
    }
}
