package dev.vigil.agent;

import dev.vigil.agent.alert.RuleStats;
import dev.vigil.agent.output.Output;
import dev.vigil.events.EventType;
import dev.vigil.sensor.Sensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters written by the reader thread (single writer: plain increments published with lazySet) and the
 * Prometheus text exposition (format 0.0.4) that /metrics serves.
 */
public final class Metrics {
    private final AtomicLongArray events = new AtomicLongArray(EventType.COUNT);
    private final AtomicLong evalNanos = new AtomicLong();
    private final AtomicLong dropNotices = new AtomicLong();
    /** Events of a new container held until Docker described it; and those evaluated without (waited long enough, or too many held). */
    final AtomicLong containerHeld = new AtomicLong(), containerUnheld = new AtomicLong();

    void event(int typeId) { events.lazySet(typeId, events.get(typeId) + 1); }

    void evalNanos(long ns) { evalNanos.lazySet(evalNanos.get() + ns); }

    private final AtomicLong reloads = new AtomicLong();
    /** Metrics snapshots written to metrics.output_file (Falco's "sample"). */
    final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();

    void dropNotice() { dropNotices.incrementAndGet(); }

    void reload(boolean ok) { (ok ? reloads : reloadFailures).incrementAndGet(); }

    public long events(EventType t) { return events.get(t.id()); }

    public long eventsTotal() {
        long n = 0;
        for (int i = 0; i < events.length(); i++) n += events.get(i);
        return n;
    }

    /** The Prometheus text for the agent's current state. */
    static String render(Agent a) {
        StringBuilder sb = new StringBuilder(8192);
        Metrics m = a.metrics();
        help(sb, "vigil_up", "gauge", "1 when the kernel programs are attached and rules are loaded");
        sb.append("vigil_up ").append(a.healthy() ? 1 : 0).append('\n');
        help(sb, "vigil_startup_seconds", "gauge", "time from start to attached with rules loaded");
        sb.append("vigil_startup_seconds ").append(a.startupNanos() / 1e9).append('\n');
        help(sb, "vigil_events_total", "counter", "events evaluated, by event type");
        for (EventType t : EventType.values()) {
            long n = m.events.get(t.id());
            if (n > 0 || a.selectedTypes().contains(t)) {
                sb.append("vigil_events_total{type=\"").append(t.falcoName()).append("\"} ").append(n).append('\n');
            }
        }
        help(sb, "vigil_rule_evaluation_seconds_total", "counter", "time spent evaluating rules on the reader thread (one event in 32 timed, scaled)");
        sb.append("vigil_rule_evaluation_seconds_total ").append(m.evalNanos.get() / 1e9).append('\n');
        AgentPolicies pol = a.policies();
        if (pol != null) {
            help(sb, "vigil_policy_flows_total", "counter", "policy flow records, by verdict, direction and policy");
            pol.engine().counters().forEach((k, v) -> {
                if (k.contains("flows_total{")) sb.append("vigil_policy_").append(k.substring(k.indexOf("flows_total{"))).append(' ').append(v).append('\n');
            });
            help(sb, "vigil_policy_flow_drops_total", "counter", "flow records the kernel could not queue (ring full), lost");
            sb.append("vigil_policy_flow_drops_total ").append(pol.engine().counters().entrySet().stream()
                    .filter(e -> e.getKey().endsWith("flow_drops_total")).mapToLong(Map.Entry::getValue).sum()).append('\n');
            help(sb, "vigil_policy_rule_events_total", "counter", "policy decisions handed to the rules (netpol_deny), by result");
            sb.append("vigil_policy_rule_events_total{result=\"queued\"} ").append(a.policyRuleEvents().received() - a.policyRuleEvents().dropped()).append('\n');
            sb.append("vigil_policy_rule_events_total{result=\"dropped\"} ").append(a.policyRuleEvents().dropped()).append('\n');
            long[] r = pol.reloadCounts();
            help(sb, "vigil_policy_reloads_total", "counter", "policy reloads, by result");
            sb.append("vigil_policy_reloads_total{result=\"ok\"} ").append(r[0]).append('\n');
            sb.append("vigil_policy_reloads_total{result=\"failed\"} ").append(r[1]).append('\n');
        }
        Sensor s = a.sensor();
        if (s != null) {
            help(sb, "vigil_records_received_total", "counter", "records read from the kernel ring buffer");
            sb.append("vigil_records_received_total ").append(s.recordsReceived()).append('\n');
            help(sb, "vigil_events_delivered_total", "counter", "events the sensor delivered to the rules");
            sb.append("vigil_events_delivered_total ").append(s.eventsDelivered()).append('\n');
            Sensor.DropReport d = s.drops();
            help(sb, "vigil_drops_total", "counter", "records the kernel could not reserve in the ring (lost), by kind and CPU");
            sb.append("vigil_drops_total ").append(d.total()).append('\n');
            for (int k = 0; k < d.perKindPerCpu().length; k++) {
                long[] perCpu = d.perKindPerCpu()[k];
                for (int c = 0; c < perCpu.length; c++) {
                    if (perCpu[c] > 0) {
                        sb.append("vigil_drops_total{kind=\"").append(esc(Sensor.DropReport.kindName(k))).append("\",cpu=\"")
                                .append(c).append("\"} ").append(perCpu[c]).append('\n');
                    }
                }
            }
            help(sb, "vigil_prefiltered_total", "counter", "records the in-kernel prefilter kept out of the ring: no loaded rule could use them (not lost)");
            sb.append("vigil_prefiltered_total ").append(s.prefilterDropped()).append('\n');
            help(sb, "vigil_ring_fill_ratio", "gauge", "share of the kernel ring buffer holding unread records now");
            sb.append("vigil_ring_fill_ratio ").append((double) s.ringPending() / s.ringCapacity()).append('\n');
            help(sb, "vigil_ring_fill_peak_ratio", "gauge", "the highest share of the ring found unread at a drain since start (1: full, drops)");
            sb.append("vigil_ring_fill_peak_ratio ").append((double) s.ringPeakPending() / s.ringCapacity()).append('\n');
            help(sb, "vigil_process_table_size", "gauge", "processes in the sensor's process table");
            sb.append("vigil_process_table_size ").append(s.processTable().size()).append('\n');
            dev.vigil.containers.ContainerStats c = s.containers().stats();
            help(sb, "vigil_container_lookups_total", "counter", "container metadata lookups sent to the runtime, by result");
            sb.append("vigil_container_lookups_total{result=\"ok\"} ").append(c.fetchedOk()).append('\n');
            sb.append("vigil_container_lookups_total{result=\"not_found\"} ").append(c.notFound()).append('\n');
            sb.append("vigil_container_lookups_total{result=\"unavailable\"} ").append(c.unavailable()).append('\n');
            sb.append("vigil_container_lookups_total{result=\"timeout\"} ").append(c.timeouts()).append('\n');
            sb.append("vigil_container_lookups_total{result=\"garbage\"} ").append(c.garbage()).append('\n');
            sb.append("vigil_container_lookups_total{result=\"error\"} ").append(c.errors()).append('\n');
            help(sb, "vigil_container_events_total", "counter", "container events read from the runtime's event stream");
            sb.append("vigil_container_events_total ").append(c.events()).append('\n');
            help(sb, "vigil_container_stream_connects_total", "counter", "connections of the runtime's event stream");
            sb.append("vigil_container_stream_connects_total ").append(c.streamConnects()).append('\n');
            help(sb, "vigil_container_events_held_total", "counter", "events of a new container held until its metadata arrived");
            sb.append("vigil_container_events_held_total ").append(m.containerHeld.get()).append('\n');
            help(sb, "vigil_container_events_unheld_total", "counter",
                    "events of a container without metadata evaluated at once (wait over, or too many held)");
            sb.append("vigil_container_events_unheld_total ").append(m.containerUnheld.get()).append('\n');
            help(sb, "vigil_containers_cached", "gauge", "containers in the metadata cache");
            sb.append("vigil_containers_cached ").append(c.cached()).append('\n');
        }
        help(sb, "vigil_drop_notices_total", "counter", "times the sensor reported new drops");
        sb.append("vigil_drop_notices_total ").append(m.dropNotices.get()).append('\n');
        help(sb, "vigil_rules_loaded", "gauge", "enabled rules");
        sb.append("vigil_rules_loaded ").append(a.rules().enabledRules().size()).append('\n');
        java.util.List<dev.vigil.rules.correlation.CorrelationSet.Stats> cs = a.rules().correlations().stats();
        help(sb, "vigil_correlations_loaded", "gauge", "enabled correlation items");
        sb.append("vigil_correlations_loaded ").append(a.rules().correlations().enabled().size()).append('\n');
        help(sb, "vigil_correlation_keys", "gauge", "group keys a correlation tracks now (at most its max_keys)");
        for (var c : cs) sb.append("vigil_correlation_keys{correlation=\"").append(esc(c.correlation())).append("\"} ").append(c.keys()).append('\n');
        help(sb, "vigil_correlation_evictions_total", "counter", "group keys evicted (least recently used) to stay within max_keys");
        for (var c : cs) sb.append("vigil_correlation_evictions_total{correlation=\"").append(esc(c.correlation())).append("\"} ").append(c.evictions()).append('\n');
        help(sb, "vigil_correlation_suppressed_total", "counter", "repeats within the window after a correlation's alert, not alerted");
        for (var c : cs) sb.append("vigil_correlation_suppressed_total{correlation=\"").append(esc(c.correlation())).append("\"} ").append(c.suppressed()).append('\n');
        help(sb, "vigil_alerts_total", "counter", "alerts raised, by rule and priority");
        for (RuleStats st : a.alerts().ruleStats().values()) {
            sb.append("vigil_alerts_total{rule=\"").append(esc(st.rule)).append("\",priority=\"")
                    .append(st.priority.display()).append("\"} ").append(st.alerts.get()).append('\n');
        }
        help(sb, "vigil_alerts_rate_limited_total", "counter", "alerts suppressed by the per-rule token bucket");
        for (RuleStats st : a.alerts().ruleStats().values()) {
            if (st.rateLimited.get() > 0) {
                sb.append("vigil_alerts_rate_limited_total{rule=\"").append(esc(st.rule)).append("\"} ")
                        .append(st.rateLimited.get()).append('\n');
            }
        }
        help(sb, "vigil_alerts_deduplicated_total", "counter", "alerts suppressed as identical within outputs.dedup_seconds");
        for (RuleStats st : a.alerts().ruleStats().values()) {
            if (st.deduplicated.get() > 0) {
                sb.append("vigil_alerts_deduplicated_total{rule=\"").append(esc(st.rule)).append("\"} ")
                        .append(st.deduplicated.get()).append('\n');
            }
        }
        help(sb, "vigil_rules_reloads_total", "counter", "rule reloads, by result");
        sb.append("vigil_rules_reloads_total{result=\"ok\"} ").append(m.reloads.get()).append('\n');
        sb.append("vigil_rules_reloads_total{result=\"failed\"} ").append(m.reloadFailures.get()).append('\n');
        help(sb, "vigil_output_queue_depth", "gauge", "alerts waiting in each output's queue");
        for (Output o : a.outputs()) gauge(sb, "vigil_output_queue_depth", o.name(), o.depth());
        help(sb, "vigil_output_written_total", "counter", "alerts written by each output");
        for (Output o : a.outputs()) gauge(sb, "vigil_output_written_total", o.name(), o.written());
        help(sb, "vigil_output_dropped_total", "counter", "alerts an output lost (queue full, or flush timeout at exit)");
        for (Output o : a.outputs()) gauge(sb, "vigil_output_dropped_total", o.name(), o.dropped());
        help(sb, "vigil_output_failures_total", "counter", "write failures, by output");
        for (Output o : a.outputs()) gauge(sb, "vigil_output_failures_total", o.name(), o.failed());
        help(sb, "vigil_output_spool_bytes", "gauge", "alerts waiting on disk for a sink that is down");
        for (Output o : a.outputs()) {
            if (o instanceof dev.vigil.agent.output.HttpOutput h) gauge(sb, "vigil_output_spool_bytes", o.name(), h.spooledBytes());
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        help(sb, "vigil_jvm_memory_used_bytes", "gauge", "JVM memory in use");
        sb.append("vigil_jvm_memory_used_bytes{area=\"heap\"} ").append(heap.getUsed()).append('\n');
        sb.append("vigil_jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
        long rss = rssBytes();
        if (rss >= 0) {
            help(sb, "vigil_process_resident_memory_bytes", "gauge", "resident set size of the agent");
            sb.append("vigil_process_resident_memory_bytes ").append(rss).append('\n');
        }
        FalcoMetrics.render(a, sb); // Falco's names beside Vigil's, for Falco's dashboards
        return sb.toString();
    }

    static long rssBytes() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * 4096L;
        } catch (Exception e) {
            return -1;
        }
    }

    private static void gauge(StringBuilder sb, String name, String output, long v) {
        sb.append(name).append("{output=\"").append(esc(output)).append("\"} ").append(v).append('\n');
    }

    private static void help(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
