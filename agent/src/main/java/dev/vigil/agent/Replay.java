package dev.vigil.agent;

import dev.vigil.agent.alert.AlertPipeline;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.output.OutputSet;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.sensor.CaptureReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Rules over a capture file instead of the kernel ({@code vigil replay FILE -r RULES}): the same rules loading,
 * engine, alert pipeline and outputs as {@link Agent}, fed the capture's events in order, so the alerts are the
 * ones {@code vigil run} raised when it saw those events (the pipeline's rate and dedup go by event time, so a
 * replay is deterministic). No sensor, no web server, no internal "agent started" alert.
 */
public final class Replay {
    private Replay() {}

    /** What a replay did. */
    public record Result(long events, long alerts, long recordedDrops) {}

    /** Replays {@code capture}; a capture cut short throws its CaptureException after the events before the cut were evaluated. */
    public static Result run(AgentConfig config, Path capture, PrintStream log) throws IOException {
        EngineOptions opts = Agent.engineOptions(config);
        RulesEngine engine = new RulesEngine(opts);
        new RuleFiles(config.list("rules_files")).loadInto(engine);
        for (Diagnostic d : engine.current().warnings()) {
            if ("1".equals(System.getenv("VIGIL_DEBUG"))) log.println("vigil: rules: " + d);
        }
        AlertPipeline alerts = Agent.alertPipeline(config, opts);
        OutputSet outputs = OutputSet.fromConfig(config);
        alerts.addSink(outputs);
        outputs.start();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.forEach(ev -> engine.evaluate(ev, alerts.engineSink())); // rules and correlations, as the agent
            long n = 0;
            for (var st : alerts.ruleStats().values()) n += st.alerts.get();
            return new Result(reader.eventsRead(), n, reader.drops());
        } finally {
            outputs.flushAndClose(config.integer("shutdown.flush_timeout_ms"), log);
        }
    }
}
