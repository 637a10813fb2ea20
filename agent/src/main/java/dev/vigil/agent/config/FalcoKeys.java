package dev.vigil.agent.config;

import java.util.List;

/**
 * Every key of Falco 0.44's falco.yaml and what Vigil does with it. A key Vigil honours is one of
 * {@link AgentConfig#keys()} (same name, Falco's meaning); a key it does not is accepted and reported once at start
 * as "not supported, ignored" with its position. The table is also docs/falco-compat.yaml's key section.
 */
public final class FalcoKeys {
    public enum Support { HONOURED, PARTIAL, IGNORED }

    /** One falco.yaml key (a dotted path; a subtree when Vigil treats it as one). */
    public record Entry(String path, Support support, String note) {}

    private static Entry h(String path, String note) { return new Entry(path, Support.HONOURED, note); }

    private static Entry p(String path, String note) { return new Entry(path, Support.PARTIAL, note); }

    private static Entry i(String path, String note) { return new Entry(path, Support.IGNORED, note); }

    public static final List<Entry> ALL = List.of(
            h("rules_files", "files and directories (*.yaml, *.yml by name) in order; rules_file accepted"),
            h("rules", "enable/disable by rule name or tag with wildcards, in order"),
            p("engine.kind", "Vigil is its own eBPF driver (modern_ebpf-like); other kinds ignored"),
            i("engine.kmod", "no kernel module"),
            p("engine.modern_ebpf.buf_size_preset", "ignored: the ring size is sensor.ring_buffer_bytes"),
            i("engine.modern_ebpf.cpus_for_each_buffer", "one ring buffer for all CPUs"),
            i("engine.modern_ebpf.drop_failed_exit", "failed syscalls are captured"),
            i("engine.modern_ebpf.disable_iterators", "the process table is read from /proc"),
            i("engine.replay", "use vigil replay FILE"),
            i("capture", "use vigil capture"),
            i("load_plugins", "no plugin API; the container plugin's fields are built in"),
            i("plugins", "no plugin API"),
            i("plugins_hostinfo", "no plugin API"),
            h("watch_config_files", "rule files and the config file are watched; a change reloads"),
            h("config_files", "files/directories merged in order with append, override or add-only"),
            h("time_format_iso_8601", "ISO 8601 UTC times; false: local-zone times as Falco"),
            i("buffer_format_base64", "buffers are printed as text"),
            h("priority", "minimum rule priority"),
            h("json_output", "Falco's JSON alert"),
            h("json_include_output_property", "the output property"),
            h("json_include_message_property", "the message property (output without time and priority)"),
            h("json_include_output_fields_property", "the output_fields property"),
            h("json_include_tags_property", "the tags property"),
            h("buffered_outputs", "false: every alert flushed as written; true: flushed per batch"),
            h("rule_matching", "first or all"),
            h("outputs_queue.capacity", "per-output queue; 0: unbounded as Falco"),
            h("append_output", "list form: match by source/tag/rule, extra_output, extra_fields, suggested_output"),
            h("static_fields", "NAME: VALUE added to every alert's output_fields"),
            h("stdout_output.enabled", ""),
            h("syslog_output.enabled", "local syslog socket, facility user"),
            h("file_output.enabled", ""),
            h("file_output.keep_alive", "false: the file is reopened for each alert, as Falco"),
            h("file_output.filename", "reopened on SIGUSR1"),
            h("http_output.enabled", ""),
            h("http_output.url", ""),
            h("http_output.user_agent", ""),
            h("http_output.insecure", "no server verification"),
            h("http_output.ca_cert", "PEM CA certificate"),
            h("http_output.ca_bundle", "PEM bundle"),
            h("http_output.ca_path", "directory of PEM certificates"),
            h("http_output.mtls", "client certificate"),
            h("http_output.client_cert", "PEM"),
            h("http_output.client_key", "PEM PKCS#8 or PKCS#1 (RSA), EC"),
            h("http_output.echo", "the server's answer is logged"),
            h("http_output.compress_uploads", "gzip request bodies (Content-Encoding: gzip)"),
            h("http_output.keep_alive", "false: a new connection for each alert, as Falco; true: one kept alive"),
            h("http_output.max_consecutive_timeouts", "after this many timeouts in a row the alert is dropped (counted)"),
            h("program_output.enabled", ""),
            h("program_output.keep_alive", "false: one process per alert, as Falco"),
            h("program_output.program", "sh -c"),
            h("webserver.enabled", ""),
            h("webserver.threadiness", "threads serving requests; 0: one per online CPU, as Falco"),
            h("webserver.listen_port", ""),
            h("webserver.listen_address", "Vigil's default is 127.0.0.1"),
            h("webserver.k8s_healthz_endpoint", ""),
            h("webserver.prometheus_metrics_enabled", "Vigil's default is true"),
            h("webserver.ssl_enabled", "HTTPS"),
            h("webserver.ssl_certificate", "PEM holding the key and the certificate (chain)"),
            h("log_stderr", "Vigil's own log lines on stderr"),
            h("log_syslog", "Vigil's own log lines to syslog"),
            h("log_level", "emergency..debug"),
            i("libs_logger", "no libs"),
            p("output_timeout", "accepted; outputs never block the reader (bounded queues, counted drops)"),
            i("syscall_event_timeouts", "the ring is polled; no timeouts"),
            h("syscall_event_drops.threshold", "drop ratio over the last second that triggers the actions"),
            h("syscall_event_drops.actions", "ignore, log, alert, exit"),
            h("syscall_event_drops.rate", "token bucket of drop notices"),
            h("syscall_event_drops.max_burst", ""),
            h("syscall_event_drops.simulate_drops", "a drop notice every second, for testing"),
            h("metrics.enabled", "the metrics snapshot"),
            h("metrics.interval", "Prometheus duration (1h, 15s, 500ms)"),
            h("metrics.output_rule", "the Falco internal: metrics snapshot alert"),
            h("metrics.output_file", "JSON lines"),
            h("metrics.rules_counters_enabled", ""),
            h("metrics.resource_utilization_enabled", ""),
            h("metrics.state_counters_enabled", ""),
            h("metrics.kernel_event_counters_enabled", ""),
            p("metrics.kernel_event_counters_per_cpu_enabled", "drops per CPU are in /metrics"),
            i("metrics.libbpf_stats_enabled", "not collected"),
            i("metrics.plugins_metrics_enabled", "no plugins"),
            i("metrics.jemalloc_stats_enabled", "JVM"),
            h("metrics.convert_memory_to_mb", ""),
            h("metrics.include_empty_values", ""),
            i("falco_libs", "no libs; the process table is Vigil's"),
            h("base_syscalls.custom_set", "captured beside what the rules need; !name removes one no rule needs"),
            p("base_syscalls.repair", "accepted; Vigil's state syscalls are always captured"),
            p("base_syscalls.all", "accepted"),
            i("grpc", "removed in Falco 0.44"),
            i("grpc_output", "removed in Falco 0.44"),
            i("container_engines", "Falco < 0.41 key; Vigil reads docker and cri from it"),
            i("syscall_buf_size_preset", "Falco < 0.38 key"),
            i("syscall_drop_failed_exit", "Falco < 0.38 key"),
            i("modern_bpf", "Falco < 0.38 key"),
            i("metadata_download", "Falco < 0.38 key"),
            i("outputs", "Falco < 0.37 key; Vigil's outputs.rate, outputs.max_burst are read"),
            i("priority_threshold", "not a Falco key"),
            i("outputs_queue.recovery", "Falco 0.37 key"));

    private FalcoKeys() {}

    /** The entry covering {@code key} (equal to it or a subtree above it), or null. */
    public static Entry find(String key) {
        Entry best = null;
        for (Entry e : ALL) {
            if ((key.equals(e.path()) || key.startsWith(e.path() + ".")) && (best == null || e.path().length() > best.path().length())) {
                best = e;
            }
        }
        return best;
    }

    /** The {@code keys:} section of docs/falco-compat.yaml: one line per key, {key, vigil, note}. */
    public static String compatYaml() {
        StringBuilder sb = new StringBuilder("keys:\n");
        for (Entry e : ALL) {
            sb.append("  - {key: ").append(e.path()).append(", vigil: ").append(e.support().name().toLowerCase(java.util.Locale.ROOT));
            if (!e.note().isEmpty()) sb.append(", note: \"").append(e.note().replace("\"", "\\\"")).append('"');
            sb.append("}\n");
        }
        return sb.toString();
    }

    /** True when some entry lies below {@code prefix} (so a mapping there is walked into). */
    static boolean hasBelow(String prefix) {
        for (Entry e : ALL) if (e.path().startsWith(prefix)) return true;
        return false;
    }
}
