package dev.vigil.bench.rules;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.ContainerView;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.FdView;
import dev.vigil.events.Process;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.RuleLoadException;
import dev.vigil.rules.Rules;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSelector;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.output.Alert;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rules engine with the stable Falco rules alone, and with Vigil's shipped correlation rules beside them, on
 * the same streams: {@link SyntheticEvents}' realistic mix, and a connect scan (4 processes each scanning 4 hosts,
 * a new port at each connect: every key's window fills, alerts, then counts suppressed repeats). Time moves on: each invocation
 * replays the stream one stream-length later, so windows slide and expire as they would live. One operation is
 * one event; run with {@code -prof gc} for bytes per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CorrelationBench {
    static final int EVENTS = 8192;

    @Param({"stable", "stable+correlations"})
    public String ruleset;

    @Param({"synthetic", "scan"})
    public String stream;

    /**
     * With stable+correlations: "all" the shipped correlations, or only the one named (spaces as '_', e.g.
     * Host_Sweep), to attribute the cost per correlation; "none": the file loaded, every correlation disabled.
     */
    @Param({"all"})
    public String only;


    /** Counts rule matches and correlation alerts; allocation-free itself. */
    static final class Sink implements AlertSink {
        long matches, alerts;

        @Override public void onMatch(CompiledRule rule, EventView event) { matches++; }

        @Override public void onCorrelation(Correlation c, Alert a, EventView e) { alerts++; }
    }

    /** The stream's time offset, moved on by one stream-length per invocation. */
    static final class Clock {
        long offset;
    }

    /** An event seen {@code clock.offset} later: one extra field read per timestamp, paid by both rulesets. */
    static final class Shifted implements EventView {
        final EventView e;
        final Clock clock;

        Shifted(EventView e, Clock clock) {
            this.e = e;
            this.clock = clock;
        }

        @Override public EventType type() { return e.type(); }
        @Override public int typeId() { return e.typeId(); }
        @Override public boolean isEnter() { return e.isEnter(); }
        @Override public long num() { return e.num(); }
        @Override public long timestamp() { return e.timestamp() + clock.offset; }
        @Override public long rawRes() { return e.rawRes(); }
        @Override public long argLong(int slot) { return e.argLong(slot); }
        @Override public CharSequence argStr(int slot) { return e.argStr(slot); }
        @Override public ByteSequence argBytes(int slot) { return e.argBytes(slot); }
        @Override public ProcessView process() { return e.process(); }
        @Override public FdView fd() { return e.fd(); }
        @Override public ContainerView container() { return e.container(); }
    }

    /** bench/../agent/src/main/resources/rules/vigil_correlation_rules.yaml, from VIGIL_PROJECT_ROOT or the cwd up. */
    public static Path correlationRules() {
        String rel = "agent/src/main/resources/rules/vigil_correlation_rules.yaml";
        String root = System.getenv("VIGIL_PROJECT_ROOT");
        if (root != null && Files.isRegularFile(Paths.get(root, rel))) return Paths.get(root, rel);
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(rel))) return d.resolve(rel);
        }
        throw new IllegalStateException("cannot find " + rel + "; set VIGIL_PROJECT_ROOT");
    }

    /** 4 processes scanning 4 hosts each (16 keys), a new port at each of a key's connects, one connect per microsecond. */
    static EventView[] scanStream(int n) {
        Process[] ps = new Process[4];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = Process.builder().pid(7000 + i).name("nmap").argv("nmap", "-sT", "10.9.0.0/28").exePath("/usr/bin/nmap")
                    .user(1000, "alice").build();
        }
        List<EventView> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Event.builder(EventType.CONNECT).num(i + 1).timestamp(SyntheticEvents.NOW + i * 1000L).res(-115)
                    .process(ps[i % 4]).container(dev.vigil.events.Container.HOST)
                    .fd(Fd.tcp4(3, "10.9.1.1", 40000 + i % 20000, "10.9.0." + (i / 4 % 4), 1 + (i / 16) % 1024)).build());
        }
        return out.toArray(EventView[]::new);
    }

    /** One ruleset over one stream, ready to replay: what a benchmark invocation evaluates. */
    static final class Workload {
        final RuleSet rules;
        final Shifted[] events;
        final Clock clock = new Clock();
        final long span;
        final Sink sink = new Sink();
        final long[] pad;

        Workload(String ruleset, String stream, String only) throws RuleLoadException {
            List<Path> files = new ArrayList<>(List.of(SyntheticEvents.rulesDir().resolve("falco_rules.yaml")));
            if (ruleset.equals("stable+correlations")) files.add(correlationRules());
            if (ruleset.startsWith("stable+file:")) files.add(Paths.get(ruleset.substring("stable+file:".length())));
            EngineOptions options = EngineOptions.defaults().withHostname("bench");
            String maxKeys = System.getProperty("bench.maxKeys"); // correlation.max_keys, to size the key tables
            if (maxKeys != null) {
                EngineOptions.CorrelationLimits d = EngineOptions.CorrelationLimits.DEFAULTS;
                options = options.withCorrelationLimits(new EngineOptions.CorrelationLimits(d.maxWindowNanos(), Integer.parseInt(maxKeys), d.maxKeysLimit()));
            }
            RuleSet rs = Rules.load(files, options);
            if (!only.equals("all")) {
                String keep = only.replace('_', ' ');
                List<RuleSelector> off = new ArrayList<>();
                for (Correlation c : rs.correlations().all()) if (!c.name().equals(keep)) off.add(RuleSelector.disableRule(c.name()));
                if (off.size() == rs.correlations().all().size() && !only.equals("none")) {
                    throw new IllegalArgumentException("no correlation named " + keep);
                }
                rs = Rules.load(files, options.withSelectors(off));
            }
            rules = rs;
            pad = new long[Integer.getInteger("bench.padKb", 0) * 128]; // layout experiment: live memory between rules and events
            EventView[] raw = stream.equals("scan") ? scanStream(EVENTS) : SyntheticEvents.stream(EVENTS, 42);
            events = new Shifted[raw.length];
            for (int i = 0; i < raw.length; i++) events[i] = new Shifted(raw[i], clock);
            span = raw[raw.length - 1].timestamp() - raw[0].timestamp() + 1000L;
        }

        /** Evaluates the stream once, one stream-length after the last time. */
        long pass() {
            RuleSet rs = rules;
            Sink s = sink;
            for (Shifted e : events) rs.evaluate(e, s);
            clock.offset += span;
            return s.matches + s.alerts;
        }
    }

    Workload w;

    @Setup(Level.Trial)
    public void setup() throws RuleLoadException {
        w = new Workload(ruleset, stream, only);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void evaluate(Blackhole bh) {
        bh.consume(w.pass());
    }
}
