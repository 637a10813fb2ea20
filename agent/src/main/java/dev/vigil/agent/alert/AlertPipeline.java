package dev.vigil.agent.alert;

import dev.vigil.events.EventView;
import dev.vigil.rules.Priority;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.output.Alert;
import dev.vigil.rules.output.OutputFormat;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one path from a rule match to the sinks: priority threshold, per-rule rate limit, dedup, shaping
 * (append_output's extra fields, the count of suppressed repeats), then every {@link AlertSink} in the order added
 * (outputs first, then responses). The agent's own alerts ({@link #internal}) skip the gates and reach the same sinks.
 *
 * <p>{@link #onMatch} runs on the reader thread while the event is valid; limits and dedup run on the events'
 * timestamps, so that {@code vigil replay} of a capture gives the alerts the live run gave.
 */
public final class AlertPipeline {
    /** The rule-name prefix of the agent's own alerts (Falco's is "Falco internal: "). */
    public static final String INTERNAL_PREFIX = "Vigil internal: ";

    /** Falco's own prefix, for the internal alerts Falco also has (drops, metrics snapshot). */
    public static final String FALCO_INTERNAL_PREFIX = "Falco internal: ";

    /** What the gates need; {@code append}: append_output's items, compiled. */
    public record Options(Priority threshold, double ratePerSecond, int maxBurst, double dedupSeconds,
                          List<Appender> append, String hostname, boolean iso8601) {
        public Options {
            append = List.copyOf(append);
        }
    }

    /** One append_output item: which alerts, the text appended, the fields added. */
    public record Appender(dev.vigil.agent.config.AppendOutput item, OutputFormat text, Map<String, OutputFormat> fields) {
        /** Compiles the items; a bad field throws IllegalArgumentException naming append_output. */
        public static List<Appender> compile(List<dev.vigil.agent.config.AppendOutput> items) {
            List<Appender> out = new java.util.ArrayList<>();
            for (var i : items) {
                try {
                    String text = i.suggested() ? dev.vigil.agent.config.AppendOutput.SUGGESTED : i.extraOutput();
                    Map<String, OutputFormat> f = new LinkedHashMap<>();
                    i.extraFields().forEach((k, v) -> f.put(k, OutputFormat.of(i.literal() ? v.replace("%", "%%") : v)));
                    out.add(new Appender(i, text == null ? null : OutputFormat.of(text), f));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("append_output: " + e.getMessage());
                }
            }
            return out;
        }
    }

    private final Options options;
    private final Dedup dedup;
    private final ConcurrentHashMap<String, RuleStats> ruleStats = new ConcurrentHashMap<>();
    private final List<AlertSink> sinks = new CopyOnWriteArrayList<>();

    public AlertPipeline(Options options) {
        this.options = options;
        this.dedup = new Dedup(options.dedupSeconds());
    }

    /** Adds a sink; alerts reach sinks in the order they were added. */
    public AlertPipeline addSink(AlertSink sink) {
        sinks.add(sink);
        return this;
    }

    public Priority threshold() { return options.threshold(); }

    public String hostname() { return options.hostname(); }

    /** Per-rule counters, for /metrics. */
    public Map<String, RuleStats> ruleStats() { return ruleStats; }

    /** What the rules engine calls: rule matches and completed correlations both enter this pipeline. */
    private final dev.vigil.rules.engine.AlertSink engineSink = new dev.vigil.rules.engine.AlertSink() {
        @Override public void onMatch(CompiledRule rule, EventView e) { AlertPipeline.this.onMatch(rule, e); }

        @Override public void onCorrelation(Correlation c, Alert a, EventView e) { AlertPipeline.this.onCorrelation(c, a, e); }
    };

    /** The sink to hand {@code RulesEngine.evaluate}. */
    public dev.vigil.rules.engine.AlertSink engineSink() { return engineSink; }

    /**
     * A correlation completed on {@code e} (reader thread). Its alert is already one per key per window, so it skips
     * dedup; the threshold, the rate limit and append_output apply as to rules.
     */
    public void onCorrelation(Correlation c, Alert a, EventView e) {
        if (c.priority().ordinal() > options.threshold().ordinal()) return;
        RuleStats st = stats(c.name(), c.priority());
        if (!st.bucket.tryTake(e.timestamp())) {
            st.rateLimited.incrementAndGet();
            return;
        }
        st.alerts.incrementAndGet();
        Alert shaped = withExtra(a, e);
        emit(shaped, shaped.output(), e);
    }

    private RuleStats stats(String name, Priority p) {
        return ruleStats.computeIfAbsent(name, n -> new RuleStats(n, p, new TokenBucket(options.ratePerSecond(), options.maxBurst())));
    }

    /** append_output's items that match the alert (by source, tag, rule): their text and fields added. */
    private Alert withExtra(Alert a, EventView e) {
        for (Appender ap : options.append()) {
            if (!ap.item().matches(a.source(), a.tags(), a.rule())) continue;
            Map<String, Object> f = new LinkedHashMap<>(a.outputFields());
            String output = a.output();
            if (ap.text() != null) {
                if (ap.item().suggested()) ap.text().values(e).forEach(f::putIfAbsent);
                output = output + " " + ap.text().format(e);
            }
            for (var x : ap.fields().entrySet()) {
                Map<String, Object> vals = x.getValue().values(e);
                // a lone %field gives its typed value; anything else the formatted text
                Object v = vals.size() == 1 && x.getValue().source().equals("%" + vals.keySet().iterator().next())
                        ? vals.values().iterator().next() : x.getValue().format(e);
                f.put(x.getKey(), v);
            }
            a = new Alert(a.timeNanos(), a.rule(), a.priority(), a.source(), a.tags(), output, f, a.hostname());
        }
        return a;
    }

    /** A rule matched {@code e} (reader thread, while the event is valid). */
    public void onMatch(CompiledRule rule, EventView e) {
        if (rule.priority().ordinal() > options.threshold().ordinal()) return;
        RuleStats st = stats(rule.name(), rule.priority());
        long now = e.timestamp();
        if (!st.bucket.tryTake(now)) {
            st.rateLimited.incrementAndGet();
            return;
        }
        long suppressed = 0;
        if (dedup.enabled()) {
            suppressed = dedup.check(rule.name(), rule.formatOutput(e), now);
            if (suppressed < 0) {
                st.deduplicated.incrementAndGet();
                return;
            }
        }
        st.alerts.incrementAndGet();
        Alert a = withExtra(rule.alert(e, options.hostname(), options.iso8601()), e);
        if (suppressed > 0) {
            Map<String, Object> f = new LinkedHashMap<>(a.outputFields());
            f.put("vigil.suppressed", suppressed);
            a = new Alert(a.timeNanos(), a.rule(), a.priority(), a.source(), a.tags(),
                    a.output() + " (" + suppressed + " identical alerts suppressed)", f, a.hostname());
        }
        emit(a, a.output(), e);
    }

    /**
     * An alert about the agent itself (Falco's "Falco internal: ..."): the rule is the message up to its first
     * stop, the output the message with its fields; to every sink, with no event.
     */
    public void internal(Priority p, String what, Map<String, Object> fields) {
        internal(INTERNAL_PREFIX, p, what, fields);
    }

    /**
     * An internal alert Falco also has, under Falco's rule name ({@code Falco internal: syscall event drop},
     * {@code Falco internal: metrics snapshot}), so that dashboards and falcosidekick filters keep working.
     */
    public void falcoInternal(Priority p, String what, Map<String, Object> fields) {
        internal(FALCO_INTERNAL_PREFIX, p, what, fields);
    }

    /** An internal alert with Falco's rule name and its own output text (the fields only in output_fields). */
    public void falcoInternal(Priority p, String ruleSuffix, String output, Map<String, Object> fields) {
        Instant now = Instant.now();
        long ns = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String time = options.iso8601() ? FieldRegistry.formatIso(ns) : FieldRegistry.formatTime(ns);
        String text = time + ": " + p.display() + " " + output;
        emit(new Alert(ns, FALCO_INTERNAL_PREFIX + ruleSuffix, p, "internal", List.of(), text, new LinkedHashMap<>(fields),
                options.hostname()), text, null);
    }

    private void internal(String prefix, Priority p, String what, Map<String, Object> fields) {
        Instant now = Instant.now();
        long ns = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String rule = prefix + what.split("[.;]", 2)[0];
        StringBuilder out = new StringBuilder(prefix).append(what);
        if (!fields.isEmpty()) {
            out.append(" (");
            boolean first = true;
            for (Map.Entry<String, Object> f : fields.entrySet()) {
                if (!first) out.append(' ');
                first = false;
                out.append(f.getKey()).append('=').append(f.getValue());
            }
            out.append(')');
        }
        String time = options.iso8601() ? FieldRegistry.formatIso(ns) : FieldRegistry.formatTime(ns);
        String text = time + ": " + p.display() + " " + out;
        emit(new Alert(ns, rule, p, "internal", List.of(), text, new LinkedHashMap<>(fields), options.hostname()), text, null);
    }

    private void emit(Alert a, String text, EventView e) {
        for (AlertSink s : sinks) s.accept(a, text, e);
    }
}
