package dev.vigil.bench.rules;

import dev.vigil.events.EventView;
import dev.vigil.rules.RuleLoadException;
import dev.vigil.rules.Rules;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Events evaluated per second on one core by the rules engine, over a synthetic stream with realistic
 * exec/open/connect proportions ({@link SyntheticEvents}), with the stable upstream ruleset or all three files
 * loaded, against a baseline that only reads each event's type. One benchmark operation is one event
 * ({@code @OperationsPerInvocation}), so the score is events/s; run with {@code -prof gc} to see bytes/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RulesBench {
    static final int EVENTS = 8192;

    /** Which upstream files are loaded: "stable" (falco_rules.yaml) or "all" (stable + incubating + sandbox). */
    @Param({"stable", "all"})
    public String ruleset;

    EventView[] events;
    RuleSet rules;
    CountingSink sink;

    /** Counts matches and feeds them to the blackhole so nothing is optimized away; allocation-free. */
    static final class CountingSink implements AlertSink {
        long matches;

        @Override
        public void onMatch(CompiledRule rule, EventView event) { matches++; }
    }

    @Setup(Level.Trial)
    public void setup() throws RuleLoadException {
        Path dir = SyntheticEvents.rulesDir();
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve("falco_rules.yaml"));
        if (ruleset.equals("all")) {
            files.add(dir.resolve("falco-incubating_rules.yaml"));
            files.add(dir.resolve("falco-sandbox_rules.yaml"));
        }
        rules = Rules.load(files, EngineOptions.defaults().withHostname("bench"));
        events = SyntheticEvents.stream(EVENTS, 42);
        sink = new CountingSink();
    }

    /** Baseline: read each event's type (what any consumer of the stream pays). */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void baselineReadType(Blackhole bh) {
        int acc = 0;
        for (EventView e : events) acc += e.typeId();
        bh.consume(acc);
    }

    /** The rules engine: every event offered to the rules indexed for its type. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void evaluate(Blackhole bh) {
        RuleSet rs = rules;
        CountingSink s = sink;
        for (EventView e : events) rs.evaluate(e, s);
        bh.consume(s.matches);
    }
}
