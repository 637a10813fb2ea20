package dev.vigil.agent;

import dev.vigil.agent.alert.RuleStats;
import dev.vigil.agent.output.Output;
import dev.vigil.rules.Priority;
import dev.vigil.sensor.Sensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Falco's metrics from Vigil's counters, under Falco's names: the Prometheus series
 * ({@code falcosecurity_falco_*}, {@code falcosecurity_scap_*}, {@code falcosecurity_evt_*} with Falco's labels)
 * served beside Vigil's own on /metrics, and the fields of the {@code Falco internal: metrics snapshot} alert
 * ({@code falco.*}, {@code scap.*}).
 */
final class FalcoMetrics {
    /** The Falco release whose interfaces (falco.yaml, flags, metrics, /versions) Vigil follows. */
    static final String FALCO_VERSION = "0.44.0";
    static final String ENGINE_VERSION = "0.62.0";
    static final long START_NS = System.currentTimeMillis() * 1_000_000L;

    private FalcoMetrics() {}

    record Series(String name, String type, String help, Map<String, String> labels, double value) {}

    static String vigilVersion() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** Every Falco series for the agent now. */
    static List<Series> series(Agent a) {
        List<Series> out = new ArrayList<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        add(out, "falcosecurity_falco_version_info", "gauge", "the Falco version Vigil follows", Map.of("version", FALCO_VERSION), 1);
        add(out, "falcosecurity_falco_kernel_release_info", "gauge", "kernel release",
                Map.of("kernel_release", read("/proc/sys/kernel/osrelease")), 1);
        add(out, "falcosecurity_evt_hostname_info", "gauge", "hostname of alerts", Map.of("hostname", a.alerts().hostname()), 1);
        add(out, "falcosecurity_falco_start_timestamp_nanoseconds", "gauge", "when the agent started", Map.of(), START_NS);
        add(out, "falcosecurity_falco_host_boot_timestamp_nanoseconds", "gauge", "when the host booted", Map.of(), bootNs());
        add(out, "falcosecurity_falco_host_num_cpus_total", "gauge", "online CPUs", Map.of(), Runtime.getRuntime().availableProcessors());
        add(out, "falcosecurity_falco_duration_seconds_total", "counter", "seconds since start", Map.of(), (now - START_NS) / 1e9);
        long queueDrops = 0;
        for (Output o : a.outputs()) queueDrops += o.dropped();
        add(out, "falcosecurity_falco_outputs_queue_num_drops_total", "counter", "alerts dropped by full output queues", Map.of(), queueDrops);
        for (RuleStats st : a.alerts().ruleStats().values()) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("priority", Integer.toString(st.priority.ordinal()));
            l.put("rule_name", st.rule);
            var r = a.rules().rule(st.rule);
            l.put("source", r == null ? "syscall" : r.source());
            if (r != null) for (String t : r.tags()) l.put("tag_" + t.replaceAll("[^A-Za-z0-9_]", "_"), "true");
            add(out, "falcosecurity_falco_rules_matches_total", "counter", "alerts by rule", l, st.alerts.get());
        }
        double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
        add(out, "falcosecurity_falco_cpu_usage_ratio", "gauge", "CPU time over wall time since start (one CPU = 1)", Map.of(),
                cpu / Math.max(1e-9, (now - START_NS) / 1e9));
        long[] statm = statm();
        add(out, "falcosecurity_falco_memory_rss_bytes", "gauge", "resident memory", Map.of(), statm[1]);
        add(out, "falcosecurity_falco_memory_vsz_bytes", "gauge", "virtual memory", Map.of(), statm[0]);
        add(out, "falcosecurity_falco_memory_pss_bytes", "gauge", "proportional set size", Map.of(), pssBytes());
        add(out, "falcosecurity_falco_host_memory_used_bytes", "gauge", "host memory in use", Map.of(), hostMemoryUsed());
        add(out, "falcosecurity_falco_host_open_fds_total", "gauge", "open files on the host", Map.of(),
                firstNumber(read("/proc/sys/fs/file-nr")));
        Sensor s = a.sensor();
        if (s != null) {
            add(out, "falcosecurity_falco_n_threads_total", "gauge", "processes in the process table", Map.of(), s.processTable().size());
            add(out, "falcosecurity_falco_n_containers_total", "gauge", "containers known", Map.of(), s.containers().stats().cached());
            Sensor.DropReport d = s.drops();
            add(out, "falcosecurity_scap_n_evts_total", "counter", "events read from the kernel", Map.of(), s.recordsReceived() + d.total());
            add(out, "falcosecurity_scap_n_drops_total", "counter", "events lost in the kernel", Map.of(), d.total());
            add(out, "falcosecurity_scap_n_drops_buffer_total", "counter", "events lost to a full ring buffer", Map.of(), d.total());
            Map<String, Long> byClass = new LinkedHashMap<>();
            for (int k = 0; k < d.perKind().length; k++) {
                if (d.perKind()[k] > 0) byClass.merge(DropMonitor.falcoClass(Sensor.DropReport.kindName(k)), d.perKind()[k], Long::sum);
            }
            for (var e : byClass.entrySet()) {
                String cls = e.getKey(); // e.g. open_exit
                int us = cls.lastIndexOf('_');
                add(out, "falcosecurity_scap_n_drops_buffer_total", "counter", "events lost to a full ring buffer",
                        Map.of("dir", cls.substring(us + 1), "drop", cls.substring(0, us)), e.getValue());
            }
        }
        for (String f : a.ruleSources()) {
            String sha = sha256(Path.of(f));
            if (sha != null) {
                add(out, "falcosecurity_falco_sha256_rules_files_info", "gauge", "rule files loaded",
                        Map.of("file_name", Path.of(f).getFileName().toString(), "sha256", sha), 1);
            }
        }
        if (a.config().file() != null) {
            String sha = sha256(a.config().file());
            if (sha != null) {
                add(out, "falcosecurity_falco_sha256_config_files_info", "gauge", "config files loaded",
                        Map.of("file_name", a.config().file().getFileName().toString(), "sha256", sha), 1);
            }
        }
        return out;
    }

    /** The Prometheus text of {@link #series}. */
    static void render(Agent a, StringBuilder sb) {
        String last = null;
        for (Series s : series(a)) {
            if (!s.name().equals(last)) {
                sb.append("# HELP ").append(s.name()).append(' ').append(s.help()).append('\n');
                sb.append("# TYPE ").append(s.name()).append(' ').append(s.type()).append('\n');
                last = s.name();
            }
            sb.append(s.name());
            if (!s.labels().isEmpty()) {
                sb.append('{');
                boolean first = true;
                for (var l : s.labels().entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    sb.append(l.getKey()).append("=\"").append(esc(l.getValue())).append('"');
                }
                sb.append('}');
            }
            double v = s.value();
            sb.append(' ').append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v)).append('\n');
        }
    }

    /** The fields of Falco's metrics snapshot alert, as Falco names them. */
    static Map<String, Object> snapshot(Agent a, boolean rulesCounters, boolean resources, boolean state, boolean kernel,
            boolean toMb, boolean includeEmpty) {
        Map<String, Object> f = new LinkedHashMap<>();
        long now = System.currentTimeMillis() * 1_000_000L;
        f.put("evt.source", "syscall");
        f.put("evt.time", now);
        f.put("falco.version", FALCO_VERSION);
        f.put("falco.vigil_version", vigilVersion());
        f.put("falco.start_ts", START_NS);
        f.put("falco.duration_sec", (now - START_NS) / 1_000_000_000L);
        f.put("falco.host_boot_ts", bootNs());
        f.put("falco.host_num_cpus", Runtime.getRuntime().availableProcessors());
        f.put("falco.hostname", a.alerts().hostname());
        f.put("falco.kernel_release", read("/proc/sys/kernel/osrelease"));
        long queueDrops = 0;
        for (Output o : a.outputs()) queueDrops += o.dropped();
        f.put("falco.outputs_queue_num_drops", queueDrops);
        if (resources) {
            double cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
            f.put("falco.cpu_usage_perc", Math.round(1000 * 100 * cpu / Math.max(1e-9, (now - START_NS) / 1e9)) / 1000.0);
            long[] statm = statm();
            double div = toMb ? 1024 * 1024 : 1;
            f.put("falco.memory_rss", Math.round(statm[1] / div * 10) / 10.0);
            f.put("falco.memory_vsz", Math.round(statm[0] / div * 10) / 10.0);
            f.put("falco.memory_pss", Math.round(pssBytes() / div * 10) / 10.0);
            f.put("falco.host_memory_used", Math.round(hostMemoryUsed() / div * 10) / 10.0);
            f.put("falco.host_open_fds", firstNumber(read("/proc/sys/fs/file-nr")));
        }
        Sensor s = a.sensor();
        if (state && s != null) {
            f.put("falco.n_threads", s.processTable().size());
            f.put("falco.n_containers", s.containers().stats().cached());
        }
        if (rulesCounters) {
            long total = 0;
            for (RuleStats st : a.alerts().ruleStats().values()) {
                total += st.alerts.get();
                if (includeEmpty || st.alerts.get() > 0) f.put("falco.rules." + st.rule, st.alerts.get());
            }
            f.put("falco.rules.matches_total", total);
        }
        if (kernel && s != null) {
            Sensor.DropReport d = s.drops();
            long evts = s.recordsReceived() + d.total();
            f.put("scap.n_evts", evts);
            f.put("scap.n_drops", d.total());
            f.put("scap.n_drops_buffer_total", d.total());
            f.put("scap.n_drops_perc", evts == 0 ? 0.0 : Math.round(100_000.0 * d.total() / evts) / 1000.0);
        }
        // include_empty_values: false drops counters that are 0 (per-rule matches, drop counters), as Falco
        if (!includeEmpty) {
            f.entrySet().removeIf(e -> e.getValue() instanceof Number n && n.doubleValue() == 0
                    && (e.getKey().startsWith("scap.n_drops") || e.getKey().equals("falco.outputs_queue_num_drops")));
        }
        return f;
    }

    /** Falco's /versions. */
    static Map<String, Object> versions() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("default_driver_version", "vigil " + vigilVersion());
        m.put("driver_api_version", "vigil " + vigilVersion());
        m.put("driver_schema_version", "vigil " + vigilVersion());
        m.put("engine_version", ENGINE_VERSION);
        m.put("engine_version_semver", ENGINE_VERSION);
        m.put("falco_version", FALCO_VERSION);
        m.put("libs_version", "vigil " + vigilVersion());
        m.put("plugin_api_version", "none");
        m.put("vigil_version", vigilVersion());
        return m;
    }

    private static void add(List<Series> out, String name, String type, String help, Map<String, String> labels, double v) {
        out.add(new Series(name, type, help, labels, v));
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static long firstNumber(String s) {
        try {
            return Long.parseLong(s.split("\\s+")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long bootNs() {
        for (String l : read("/proc/stat").split("\n")) {
            if (l.startsWith("btime ")) return Long.parseLong(l.substring(6).trim()) * 1_000_000_000L;
        }
        return 0;
    }

    private static long[] statm() {
        String[] f = read("/proc/self/statm").split("\\s+");
        try {
            return new long[] {Long.parseLong(f[0]) * 4096L, Long.parseLong(f[1]) * 4096L};
        } catch (RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static long pssBytes() {
        for (String l : read("/proc/self/smaps_rollup").split("\n")) {
            if (l.startsWith("Pss:")) return firstNumber(l.substring(4).trim()) * 1024L;
        }
        return 0;
    }

    private static long hostMemoryUsed() {
        long total = 0, avail = 0;
        for (String l : read("/proc/meminfo").split("\n")) {
            if (l.startsWith("MemTotal:")) total = firstNumber(l.substring(9).trim()) * 1024L;
            if (l.startsWith("MemAvailable:")) avail = firstNumber(l.substring(13).trim()) * 1024L;
        }
        return total - avail;
    }

    private static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (Exception e) {
            return null;
        }
    }

    /** Whether a metrics snapshot alert passes the priority threshold (Falco: priority informational or lower). */
    static boolean snapshotAllowed(Priority threshold) {
        return Priority.INFORMATIONAL.ordinal() <= threshold.ordinal();
    }
}
