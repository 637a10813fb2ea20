package dev.vigil.bench.rules;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.Process;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.CorrelationSet;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.load.RuleLoader;
import dev.vigil.rules.output.Alert;

import java.util.List;

/**
 * Heap per tracked group key, one correlation of each kind at a time: N keys each get one matching event (a key's
 * first event, what most keys ever see) or K events (a key that is filling its window), and the heap is measured
 * after a full GC before and after. Prints bytes per key.
 *
 *   java -cp ... dev.vigil.bench.rules.CorrelationMemory [N]
 */
public final class CorrelationMemory {
    private CorrelationMemory() {}

    static final String COUNT = """
            - correlation: C
              type: event_count
              condition: evt.type=connect
              group_by: [proc.pid]
              window: 10s
              threshold: {gte: 1000}
              output: "%proc.pid"
              priority: NOTICE
            """;
    static final String VALUES = """
            - correlation: C
              type: value_count
              condition: evt.type=connect
              group_by: [proc.pid, fd.sip]
              distinct: [fd.sport]
              window: 10s
              threshold: {gte: 20}
              output: "%fd.sip %corr.values"
              priority: NOTICE
            """;
    static final String SEQUENCE = """
            - correlation: C
              type: sequence
              window: 60s
              steps:
                - name: connected
                  condition: evt.type=connect
                - name: shell
                  condition: evt.type=execve
              group_by: [proc.pid]
              output: "%connected.fd.sip %connected.proc.exepath %proc.name"
              priority: NOTICE
            """;

    static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    static double perKey(String yaml, int n, int eventsPerKey) throws Exception {
        RuleLoader.Result r = RuleLoader.load(List.of(new RuleLoader.Source("m.yaml", yaml)),
                EngineOptions.defaults().withHostname("m").withCorrelationLimits(new EngineOptions.CorrelationLimits(3_600_000_000_000L, n, n)));
        if (!r.ok()) throw new IllegalStateException(r.diagnostics().toString());
        RuleSet rs = r.ruleSet();
        AlertSink sink = new AlertSink() {
            @Override public void onMatch(CompiledRule rule, EventView e) { }

            @Override public void onCorrelation(Correlation c, Alert a, EventView e) { }
        };
        Event[] evs = new Event[eventsPerKey];
        long before = used();
        for (int k = 0; k < n; k++) {
            Process pk = Process.builder().pid(100_000 + k).name("x").exePath("/usr/bin/x").user(0, "root").build();
            for (int j = 0; j < eventsPerKey; j++) {
                evs[j] = Event.builder(EventType.CONNECT).timestamp(SyntheticEvents.NOW + j).res(0).process(pk)
                        .container(Container.HOST).fd(Fd.tcp4(3, "10.0.0.1", 40000, "10.1.0.1", 1 + j)).build();
                rs.evaluate(evs[j], sink);
            }
        }
        long after = used();
        CorrelationSet.Stats st = rs.correlations().stats().getFirst();
        if (st.keys() != n) throw new IllegalStateException("tracked " + st.keys() + " keys, expected " + n);
        return (after - before) / (double) n;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        perKey(VALUES, 1000, 1); // warm up the classes
        System.out.printf("heap per tracked key, %d keys (events built per key are garbage before the measurement)%n", n);
        System.out.printf("  event_count (threshold 1000), 1 event per key:  %6.0f bytes%n", perKey(COUNT, n, 1));
        System.out.printf("  event_count (threshold 1000), 10 events per key: %6.0f bytes%n", perKey(COUNT, n, 10));
        System.out.printf("  value_count (threshold 20), 1 value per key:     %6.0f bytes%n", perKey(VALUES, n, 1));
        System.out.printf("  value_count (threshold 20), 19 values per key:   %6.0f bytes%n", perKey(VALUES, n, 19));
        System.out.printf("  sequence (2 steps, 2 kept fields), 1 step:      %6.0f bytes%n", perKey(SEQUENCE, n, 1));
    }
}
