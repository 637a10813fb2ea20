package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.load.RuleLoader;
import dev.vigil.rules.output.Alert;
import dev.vigil.sensor.CaptureReader;
import dev.vigil.sensor.CaptureWriter;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Correlations run on the events' kernel timestamps, so a capture replayed later gives exactly the alerts the live
 * run gave: a real nmap scan and a real reverse shell are captured while the live engine evaluates them, then the
 * capture is replayed through a freshly loaded engine.
 */
class CorrelationReplayTest {
    static RulesEngine engine() throws Exception {
        RulesEngine e = new RulesEngine(EngineOptions.defaults().withHostname("h"));
        e.loadSources(List.of(new RuleLoader.Source("vigil_correlation_rules.yaml", RuleFiles.bundled(RuleFiles.BUNDLED_CORRELATIONS))));
        return e;
    }

    static AlertSink collect(List<String> into) {
        return new AlertSink() {
            @Override public void onMatch(CompiledRule rule, EventView ev) { }

            @Override public void onCorrelation(Correlation c, Alert a, EventView ev) { into.add(a.toJson()); }
        };
    }

    @Test
    void aReplayedCaptureGivesTheLiveAlerts(@TempDir Path dir) throws Exception {
        KernelTests.assumeKernel();
        AgentCorrelationTest.ensureNmap();
        RulesEngine live = engine();
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (EventType t : live.requiredEventTypes()) {
            try {
                Selection.of(t);
                types.add(t);
            } catch (IllegalArgumentException notCapturable) {
                // (none today)
            }
        }
        Path file = dir.resolve("scan.vcap");
        List<String> liveAlerts = Collections.synchronizedList(new ArrayList<>());
        long scanPid;
        try (Sensor sensor = Sensor.start(Selection.of(types))) {
            CaptureWriter writer = CaptureWriter.create(file, CaptureWriter.Meta.now(sensor.selection()), sensor.processTable());
            AlertSink sink = collect(liveAlerts);
            Thread reader = Thread.ofPlatform().start(() -> sensor.run(ev -> {
                writer.write(ev);
                live.evaluate(ev, sink);
            }));
            Process nmap = new ProcessBuilder("nmap", "-sT", "-Pn", "-n", "--max-retries", "0", "-p", "1-100", "127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(nmap.waitFor(60, TimeUnit.SECONDS)).isTrue();
            scanPid = nmap.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && liveAlerts.stream().noneMatch(a -> a.contains("\"proc.pid\":" + scanPid))) {
                Thread.sleep(10);
            }
            sensor.stop();
            reader.join();
            writer.close();
        }
        assertThat(liveAlerts).anyMatch(a -> a.contains("\"rule\":\"Outbound Port Scan\"") && a.contains("\"proc.pid\":" + scanPid));
        List<String> replayed = new ArrayList<>();
        RulesEngine again = engine();
        AlertSink sink = collect(replayed);
        try (CaptureReader r = CaptureReader.open(file)) {
            r.forEach(ev -> again.evaluate(ev, sink));
        }
        assertThat(Files.size(file)).isPositive();
        // A capture stores no container for host processes (CaptureReader: null, as in version 1 files) where the live
        // resolver says "host": the one field that differs, and not the correlations' doing.
        List<String> normalized = replayed.stream()
                .map(a -> a.replace("container=<NA>", "container=host").replace("\"container.id\":null", "\"container.id\":\"host\""))
                .toList();
        assertThat(normalized).isEqualTo(List.copyOf(liveAlerts));
    }
}
