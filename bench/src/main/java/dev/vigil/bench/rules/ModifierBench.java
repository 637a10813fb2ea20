package dev.vigil.bench.rules;

import dev.vigil.events.EventView;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.load.RuleLoader;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of libsinsp's list modifiers and multi-value transformers against what a rule wrote before them: one
 * rule over the synthetic stream ({@link SyntheticEvents}), events/s on one core. {@code or}: eight
 * {@code proc.cmdline startswith X} joined by or; {@code anyof}/{@code oneof}: the same as
 * {@code startswith anyof (...)} / {@code oneof (...)}; {@code concat}: {@code concat(proc.name, ":", proc.exe)} compared;
 * {@code getopt}: a selector over a two-field list.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ModifierBench {
    static final int EVENTS = 8192;
    static final List<String> PREFIXES = List.of("ruby /usr/bin/unicorn", "gunicorn /home", "java -jar /opt", "node /srv",
            "python3 -m http.server", "nginx -g", "sshd -D", "bash -c curl");

    @Param({"or", "anyof", "oneof", "concat", "getopt"})
    public String form;

    EventView[] events;
    RuleSet rules;
    long matches;

    static String condition(String form) {
        return switch (form) {
            case "or" -> "(" + String.join(" or ", PREFIXES.stream().map(p -> "proc.cmdline startswith \"" + p + "\"").toList()) + ")";
            case "anyof", "oneof" -> "proc.cmdline startswith " + form + " (" + String.join(", ", PREFIXES.stream().map(p -> "\"" + p + "\"").toList()) + ")";
            case "concat" -> "concat(proc.name, \":\", proc.exe) = \"bash:bash\"";
            case "getopt" -> "getopt((proc.exe, proc.name), \"b:\")[b] = ash";
            default -> throw new IllegalArgumentException(form);
        };
    }

    @Setup(Level.Trial)
    public void setup() {
        String rule = "- rule: bench\n  desc: bench\n  condition: evt.type in (execve, openat, connect) and " + condition(form)
                + "\n  output: x\n  priority: WARNING\n";
        RuleLoader.Result r = RuleLoader.load(List.of(new RuleLoader.Source("bench.yaml", rule)), EngineOptions.defaults().withHostname("bench"));
        for (Diagnostic d : r.diagnostics()) if (d.isError()) throw new IllegalStateException(d.toString());
        rules = r.ruleSet();
        events = SyntheticEvents.stream(EVENTS, 42);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void evaluate(Blackhole bh) {
        RuleSet rs = rules;
        for (EventView e : events) rs.evaluate(e, (rule, ev) -> matches++);
        bh.consume(matches);
    }
}
