package dev.vigil.agent.config;

import dev.vigil.rules.engine.RuleSelector;
import dev.vigil.rules.Priority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;

/**
 * The agent's effective configuration: built-in defaults, then a YAML file (keys named as in Falco's falco.yaml
 * where the concept is the same), then {@code -o key=value} overrides, then command-line flags. Every key is a
 * dotted path ({@code webserver.listen_port}); each value remembers where it came from, so an error says
 * {@code FILE:LINE:COL}. Immutable once built.
 */
public final class AgentConfig {
    /** Where Vigil looks for its config file when none is named. */
    public static final Path DEFAULT_FILE = Path.of("/etc/vigil/vigil.yaml");

    public enum Kind { BOOL, INT, STRING, STRING_LIST, PRIORITY, MATCHING, DOUBLE, RULE_SELECTION, SYSCALL_HOOK, DURATION_MS,
        APPEND_OUTPUT, DROP_ACTIONS, CONFIG_FILES, ANY, RESPONSES }

    /** A known key: its kind, default value and a one-line description. */
    public record Key(String name, Kind kind, Object defaultValue, String help) {}

    /** A value and where it came from ("default", "FILE:LINE:COL", "-o key=value", "-r"). */
    public record Value(Object value, String origin) {}

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    private static void key(String name, Kind kind, Object def, String help) {
        KEYS.put(name, new Key(name, kind, def, help));
    }

    static {
        key("rules_files", Kind.STRING_LIST, List.of(),
                "rule files or directories, loaded in order; empty: the bundled stable Falco rules and Vigil's correlation rules");
        key("rules", Kind.RULE_SELECTION, List.of(),
                "enable/disable rules by name or tag, applied in order after each load: a list of "
                        + "{enable|disable: {rule|tag: PATTERN}} (wildcards * and ?), as in falco.yaml");
        key("priority", Kind.PRIORITY, "debug", "minimum rule priority to load and alert on");
        key("correlation.max_window", Kind.STRING, "1h",
                "the longest window a correlation item may ask for (ms, s, m or h); longer ones are load errors");
        key("correlation.max_keys", Kind.INT, 16384,
                "group keys each correlation tracks at once (items may set max_keys); the least recently used is evicted");
        key("rule_matching", Kind.MATCHING, "first", "first: one alert per event (first matching rule); all: every match");
        key("json_output", Kind.BOOL, false, "alerts as JSON lines (Falco's JSON alert) instead of text");
        key("stdout_output.enabled", Kind.BOOL, true, "write alerts to standard output");
        key("file_output.enabled", Kind.BOOL, false, "append alerts to file_output.filename");
        key("file_output.filename", Kind.STRING, "./events.txt", "alert file (reopened on SIGUSR1)");
        key("syslog_output.enabled", Kind.BOOL, false, "send alerts to the local syslog socket (facility user)");
        key("syslog_output.socket", Kind.STRING, "/dev/log", "the local syslog datagram socket");
        key("program_output.enabled", Kind.BOOL, false, "pipe alerts to program_output.program's stdin");
        key("program_output.program", Kind.STRING, "", "command (sh -c) kept running; restarted if it dies");
        key("http_output.enabled", Kind.BOOL, false, "POST each alert (Falco JSON) to http_output.url");
        key("http_output.url", Kind.STRING, "", "e.g. http://127.0.0.1:2801/ (falcosidekick)");
        key("http_output.user_agent", Kind.STRING, "vigil", "User-Agent header");
        key("http_output.timeout_ms", Kind.INT, 5000, "connect and request timeout");
        key("http_output.spool_dir", Kind.STRING, "/var/lib/vigil/http-spool",
                "alerts the sink could not take wait here, in order, also across restarts; empty: memory only");
        key("http_output.spool_max_bytes", Kind.INT, 64 << 20, "spool bound; a full spool counts drops");
        key("outputs.rate", Kind.DOUBLE, 0.0, "alerts per second per rule (token bucket); 0: unlimited");
        key("outputs.max_burst", Kind.INT, 1000, "token bucket size per rule");
        key("outputs.dedup_seconds", Kind.DOUBLE, 0.0,
                "suppress an alert identical to one of the same rule (same process, same output) within this many seconds; 0: off");
        key("watch_config_files", Kind.BOOL, true, "reload the rule files when they change (SIGHUP also reloads)");
        key("outputs_queue.capacity", Kind.INT, 0, "alerts each output may hold before dropping (counted); 0: unbounded, as Falco");
        key("syscall_event_drops.rate", Kind.DOUBLE, 0.03333, "drop notices per second (token bucket)");
        key("syscall_event_drops.max_burst", Kind.INT, 1, "drop notices in a burst");
        key("syscall_event_drops.threshold", Kind.DOUBLE, 0.1,
                "share of events dropped in the last second above which the actions run (Falco's threshold)");
        key("syscall_event_drops.actions", Kind.DROP_ACTIONS, List.of("log", "alert"),
                "on drops over the threshold: ignore, log (a line on the log), alert (Falco internal: syscall event drop), exit (code 1)");
        key("syscall_event_drops.simulate_drops", Kind.BOOL, false, "pretend a drop every second (testing the actions)");
        key("config_files", Kind.CONFIG_FILES, List.of(), "extra config files or directories, merged in order (Falco's "
                + "strategies append, override, add-only)");
        key("log_level", Kind.PRIORITY, "informational", "Vigil's own log lines at or above this level (Falco's log_level)");
        key("log_stderr", Kind.BOOL, true, "Vigil's own log lines on stderr");
        key("log_syslog", Kind.BOOL, false, "Vigil's own log lines to syslog_output.socket (Falco's default: true)");
        key("time_format_iso_8601", Kind.BOOL, false,
                "alert times in ISO 8601 UTC (2026-01-01T12:00:00.000000000+0000); false: the local zone, as Falco");
        key("buffered_outputs", Kind.BOOL, false, "false: each alert is flushed as written (as Falco); true: per batch");
        key("json_include_output_property", Kind.BOOL, true, "JSON alerts carry output");
        key("json_include_tags_property", Kind.BOOL, true, "JSON alerts carry tags");
        key("json_include_message_property", Kind.BOOL, false, "JSON alerts carry message (output without time and priority)");
        key("json_include_output_fields_property", Kind.BOOL, true, "JSON alerts carry output_fields");
        key("file_output.keep_alive", Kind.BOOL, false, "false: the file is opened for each alert (as Falco); true: kept open");
        key("program_output.keep_alive", Kind.BOOL, false,
                "false: one process per alert, as Falco (jq | curl -d @- works); true: one process kept running");
        key("http_output.insecure", Kind.BOOL, false, "do not verify the server's certificate");
        key("http_output.ca_cert", Kind.STRING, "", "PEM file of the CA that signs the server's certificate");
        key("http_output.ca_bundle", Kind.STRING, "", "PEM file of CA certificates");
        key("http_output.ca_path", Kind.STRING, "/etc/ssl/certs", "directory of PEM CA certificates");
        key("http_output.mtls", Kind.BOOL, false, "present http_output.client_cert and client_key (mutual TLS)");
        key("http_output.client_cert", Kind.STRING, "/etc/ssl/certs/client.crt", "PEM client certificate for mtls");
        key("http_output.client_key", Kind.STRING, "/etc/ssl/certs/client.key", "PEM client key (PKCS#8, or PKCS#1 RSA) for mtls");
        key("http_output.echo", Kind.BOOL, false, "log the server's answers");
        key("http_output.compress_uploads", Kind.BOOL, false, "gzip each request body (Content-Encoding: gzip)");
        key("http_output.keep_alive", Kind.BOOL, false, "false: a new connection for each alert (as Falco); true: one kept alive");
        key("http_output.max_consecutive_timeouts", Kind.INT, 5,
                "after this many timeouts in a row the alert is given up (counted as failed)");
        key("metrics.enabled", Kind.BOOL, false, "emit a metrics snapshot every metrics.interval");
        key("metrics.interval", Kind.DURATION_MS, 3_600_000, "Prometheus duration: 1h, 15m, 30s, 500ms");
        key("metrics.output_rule", Kind.BOOL, true, "the snapshot as the alert Falco internal: metrics snapshot");
        key("metrics.output_file", Kind.STRING, "", "the snapshot appended to this file as a JSON line; empty: off");
        key("metrics.rules_counters_enabled", Kind.BOOL, true, "matches per rule in the snapshot");
        key("metrics.resource_utilization_enabled", Kind.BOOL, true, "cpu and memory in the snapshot");
        key("metrics.state_counters_enabled", Kind.BOOL, true, "process and container table sizes in the snapshot");
        key("metrics.kernel_event_counters_enabled", Kind.BOOL, true, "events and drops in the snapshot");
        key("metrics.convert_memory_to_mb", Kind.BOOL, true, "memory in MB instead of bytes");
        key("metrics.include_empty_values", Kind.BOOL, false, "include metrics whose value is 0");
        key("base_syscalls.custom_set", Kind.STRING_LIST, List.of(),
                "events captured beside those the rules need (!name: not captured unless a rule needs it)");
        key("base_syscalls.repair", Kind.BOOL, false, "accepted; Vigil's state syscalls are always captured");
        key("base_syscalls.all", Kind.BOOL, false, "accepted");
        key("webserver.enabled", Kind.BOOL, true, "serve /healthz, /versions, /metrics and /rules");
        key("webserver.threadiness", Kind.INT, 0, "threads serving requests; 0: one per online CPU (as Falco)");
        key("webserver.ssl_enabled", Kind.BOOL, false, "serve HTTPS with webserver.ssl_certificate");
        key("webserver.ssl_certificate", Kind.STRING, "/etc/falco/falco.pem", "PEM with the private key and certificate(s)");
        key("webserver.listen_address", Kind.STRING, "127.0.0.1", "address the web server binds");
        key("webserver.listen_port", Kind.INT, 8765, "port the web server binds (0: any free port)");
        key("webserver.k8s_healthz_endpoint", Kind.STRING, "/healthz", "path of the health endpoint");
        key("webserver.prometheus_metrics_enabled", Kind.BOOL, true, "serve /metrics");
        key("webserver.token", Kind.STRING, "", "bearer token for POST /reload; empty: state-changing endpoints are off");
        key("container_engines.docker.enabled", Kind.BOOL, true,
                "container metadata (name, image, privileged, mounts, labels) from the Docker Engine API; off: ids from cgroups only");
        key("container_engines.docker.socket", Kind.STRING, "/var/run/docker.sock", "the Docker Engine API unix socket");
        key("container_engines.docker.metadata_wait_ms", Kind.INT, 1000,
                "how long events of a new container may wait for its metadata before rules see them (first exec: "
                        + "container.privileged, names, labels right); 0: evaluate at once with the id only");
        key("container_engines.cri.enabled", Kind.BOOL, true,
                "container metadata (name, image, labels, pod name and namespace, mounts) from containerd or CRI-O over "
                        + "the CRI socket, for containers whose cgroup names them (or Kubernetes' kubepods)");
        key("container_engines.cri.sockets", Kind.STRING_LIST,
                List.of("/run/containerd/containerd.sock", "/run/crio/crio.sock", "/run/k3s/containerd/containerd.sock"),
                "CRI sockets asked in order (missing ones are skipped); empty: no CRI");
        key("append_output", Kind.APPEND_OUTPUT, List.of(Map.of("suggested_output", "true")),
                "Falco's append_output list: items {match: {source, tag, rule}, extra_output, extra_fields, "
                        + "suggested_output}; suggested_output appends the container fields (container_id=%container.id "
                        + "container_name=... k8s_pod_name=...) to syscall alerts; []: off");
        key("static_fields", Kind.ANY, Map.of(), "Falco's static_fields: NAME: VALUE pairs added to every alert's output_fields");
        key("sensor.ring_buffer_bytes", Kind.INT, dev.vigil.sensor.Sensor.DEFAULT_RING_BYTES, "kernel ring buffer size (a power of two)");
        key("sensor.syscall_hook", Kind.SYSCALL_HOOK, "auto",
                "tracepoints: one tracepoint per selected syscall, nothing runs for the others; raw: one program on every "
                        + "syscall's exit, cheaper per captured syscall, dearer for the rest (BENCHMARKS.md); auto: tracepoints, "
                        + "or raw when a selected syscall has no tracepoint on this kernel (the raw hook runs anyway)");
        key("sensor.prefilter", Kind.BOOL, true,
                "judge opens in the kernel against the loaded rules (issue #17): an open that no rule or correlation could "
                        + "match, and whose fd no alert can read later, is never written to the ring (counted as filtered, not "
                        + "lost); `vigil rules explain` prints the filter per event type and why; false: every selected event is");
        key("policy_files", Kind.STRING_LIST, List.of(),
                "network and enforcement policy files or folders (CiliumNetworkPolicy...; see policy/README.md), enforced in the "
                        + "kernel and pinned under policy.pin_root; reloaded like rule files");
        key("policy_enforcement", Kind.STRING, "default",
                "default: only what a policy selects is restricted; always: everything is (no policy: deny); never: nothing is");
        key("policy_audit_mode", Kind.BOOL, false, "compute and report every verdict as AUDIT, deny nothing");
        key("policy_unload_on_exit", Kind.BOOL, false,
                "unpin the policy programs and maps when the agent exits (default: they stay, so protection survives the agent)");
        key("responses", Kind.RESPONSES, List.of(),
                "act on alerts: a list of {name, rules: [NAME...], tags: [TAG...], priority: P, action: kill | kill_process_group | "
                        + "stop_container | kill_container | program, program: COMMAND, rate, max_burst} (never Vigil, pid 1 or runtimes)");
        key("enforcement.mode", Kind.STRING, "enforce",
                "EnforcementPolicy: enforce, or monitor (audit: every decision reported, nothing denied or killed, whatever each policy's mode)");
        key("enforcement.self_protection", Kind.BOOL, true,
                "where BPF LSM works, other processes cannot ptrace the agent, read its memory, send it signals other than "
                        + "TERM/INT/HUP, write its maps, detach its links or remove its pins while it runs (each attempt is reported "
                        + "either way); false lets root do all of that; vigil policy remove always can (it lifts the protection, reported)");
        key("policy.pin_root", Kind.STRING, "",
                "bpffs folder of the pinned policy state; empty: $VIGIL_BPF_PIN_ROOT, else /sys/fs/bpf/vigil");
        key("policy.cgroup_root", Kind.STRING, "",
                "cgroup v2 folder the network policy programs attach to (every container below it); empty: /sys/fs/cgroup/unified, else /sys/fs/cgroup");
        key("shutdown.flush_timeout_ms", Kind.INT, 5000, "how long outputs may take to flush at exit");
    }

    private final Map<String, Value> values;
    private final List<Ignored> ignored;
    private final List<String> notes;
    private final Path file;

    private AgentConfig(Map<String, Value> values, List<Ignored> ignored, List<String> notes, Path file) {
        this.values = values;
        this.ignored = List.copyOf(ignored);
        this.notes = List.copyOf(notes);
        this.file = file;
    }

    public static Map<String, Key> keys() { return java.util.Collections.unmodifiableMap(KEYS); }

    /** Starts from the defaults. */
    public static Builder builder() { return new Builder(); }

    /** The defaults only. */
    public static AgentConfig defaults() { return builder().build(); }

    public static final class Builder {
        private final ConfigTree tree = new ConfigTree();
        /** Typed settings from command-line flags, applied in order after the file and -o. */
        private final List<java.util.function.Consumer<Map<String, Value>>> flags = new ArrayList<>();
        private Path file;

        Builder() {}

        /**
         * Reads a YAML config file and the config_files it names; {@code required}: a missing file is an error (a
         * file named with -c), else it is skipped (the default /etc/vigil/vigil.yaml).
         */
        public Builder file(Path path, boolean required) {
            if (tree.readMain(path, required)) this.file = path;
            return this;
        }

        /** Applies Falco's {@code -o key=value}: any key, list indexes ({@code rules_files[0]=...}), [..] and {..} values. */
        public Builder override(String assignment) {
            tree.override(assignment);
            return this;
        }

        /** Appends one rule selection (e.g. from --disable-rule), after those already given. */
        public Builder addRuleSelection(boolean enable, boolean byTag, String pattern, String origin) {
            flags.add(values -> {
                @SuppressWarnings("unchecked")
                List<String> now = new ArrayList<>((List<String>) values.get("rules").value());
                now.add(selectionText(enable, byTag, pattern));
                values.put("rules", new Value(List.copyOf(now), origin));
            });
            return this;
        }

        /** Sets a key from a command-line flag (already typed). */
        public Builder set(String name, Object value, String origin) {
            Key k = KEYS.get(name);
            if (k == null) throw new IllegalStateException("no key " + name);
            Object v = convert(k, value, origin);
            flags.add(values -> values.put(name, new Value(v, origin)));
            return this;
        }

        public AgentConfig build() {
            Map<String, Value> values = new LinkedHashMap<>();
            for (Key k : KEYS.values()) values.put(k.name(), new Value(k.defaultValue(), "default"));
            List<Ignored> ignored = new ArrayList<>();
            walk("", tree.root(), values, ignored);
            for (var f : flags) f.accept(values);
            return new AgentConfig(values, ignored, tree.notes(), file);
        }

        private static void walk(String prefix, MappingNode m, Map<String, Value> values, List<Ignored> ignored) {
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode ks)) {
                    throw new ConfigException(ConfigTree.pos(t.getKeyNode()) + ": keys must be plain names");
                }
                String key = prefix + ks.getValue();
                Node v = t.getValueNode();
                Key known = KEYS.get(key);
                if (known == null && key.equals("rules_file")) known = KEYS.get("rules_files"); // Falco's old name
                String where = ConfigTree.pos(v);
                if (known != null && known.kind() == Kind.RULE_SELECTION && v instanceof SequenceNode items) {
                    List<String> all = new ArrayList<>(); // each item checked at its own position
                    for (Node item : items.getValue()) {
                        all.addAll(ruleSelection(List.of(toJava(item)), ConfigTree.pos(item) + ": " + known.name()));
                    }
                    values.put(known.name(), new Value(List.copyOf(all), where));
                } else if (known != null) {
                    values.put(known.name(), new Value(convert(known, toJava(v), where), where));
                } else if (v instanceof MappingNode sub && hasKnownBelow(key + ".")) {
                    walk(key + ".", sub, values, ignored);
                } else if (FalcoKeys.find(key) != null) {
                    ignored.add(new Ignored(key, where.startsWith("-o ") ? where : ConfigTree.pos(ks), FalcoKeys.find(key)));
                } else if (v instanceof MappingNode sub && FalcoKeys.hasBelow(key + ".")) {
                    walk(key + ".", sub, values, ignored);
                } else {
                    throw new ConfigException(ConfigTree.pos(ks) + ": unknown key '" + key + "' (see vigil config show)");
                }
            }
        }
    }

    /** A Falco key Vigil accepts and does not act on, where it was, and why. */
    public record Ignored(String key, String origin, FalcoKeys.Entry entry) {
        /** The start-up line: "FILE:LINE:COL: falco.yaml key 'K' is not supported, ignored (why)". */
        public String message() {
            String why = entry.note().isEmpty() ? "" : " (" + entry.note() + ")";
            return origin + ": falco.yaml key '" + key + "' is not supported, ignored" + why;
        }
    }

    private static boolean hasKnownBelow(String prefix) {
        for (String k : KEYS.keySet()) if (k.startsWith(prefix)) return true;
        return false;
    }

    /** A node as plain Java: String scalars, Lists, Maps (types are decided per key, not by YAML tags). */
    private static Object toJava(Node n) {
        if (n instanceof ScalarNode s) return ConfigTree.expandEnv(s.getValue());
        if (n instanceof SequenceNode s) {
            List<Object> l = new ArrayList<>();
            for (Node c : s.getValue()) l.add(toJava(c));
            return l;
        }
        if (n instanceof MappingNode m) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) map.put(String.valueOf(toJava(t.getKeyNode())), toJava(t.getValueNode()));
            return map;
        }
        return null;
    }

    private static Object convert(Key k, Object v, String where) {
        String what = where + ": " + k.name();
        switch (k.kind()) {
            case BOOL -> {
                if (v instanceof Boolean b) return b;
                String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                return switch (s) {
                    case "true", "yes", "on" -> true;
                    case "false", "no", "off" -> false;
                    default -> throw new ConfigException(what + " must be true or false, not '" + v + "'");
                };
            }
            case INT -> {
                if (v instanceof Integer i) return i;
                try {
                    return Integer.parseInt(String.valueOf(v).trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(what + " must be an integer, not '" + v + "'");
                }
            }
            case DOUBLE -> {
                if (v instanceof Double d) return d;
                try {
                    double d = Double.parseDouble(String.valueOf(v).trim());
                    if (d < 0 || Double.isNaN(d)) throw new NumberFormatException();
                    return d;
                } catch (NumberFormatException e) {
                    throw new ConfigException(what + " must be a non-negative number, not '" + v + "'");
                }
            }
            case STRING -> {
                if (v instanceof List || v instanceof Map) throw new ConfigException(what + " must be a single value");
                return String.valueOf(v);
            }
            case STRING_LIST -> {
                if (v instanceof List<?> l) {
                    List<String> out = new ArrayList<>();
                    for (Object o : l) {
                        if (o instanceof List || o instanceof Map) throw new ConfigException(what + " must be a list of paths");
                        out.add(String.valueOf(o));
                    }
                    return List.copyOf(out);
                }
                if (v instanceof Map) throw new ConfigException(what + " must be a list of paths");
                String s = String.valueOf(v);
                return s.isEmpty() ? List.of() : List.of(s);
            }
            case PRIORITY -> {
                Priority p = Priority.parse(String.valueOf(v));
                if (p == null) {
                    throw new ConfigException(what + " must be one of emergency, alert, critical, error, warning, notice, "
                            + "informational, debug; not '" + v + "'");
                }
                return p.name().toLowerCase(Locale.ROOT);
            }
            case RULE_SELECTION -> {
                return ruleSelection(v, what);
            }
            case RESPONSES -> {
                return dev.vigil.agent.response.ResponseRule.parse(v, what);
            }
            case MATCHING -> {
                String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                if (!s.equals("first") && !s.equals("all")) throw new ConfigException(what + " must be first or all, not '" + v + "'");
                return s;
            }
            case DURATION_MS -> {
                return durationMs(String.valueOf(v).trim(), what);
            }
            case APPEND_OUTPUT -> {
                return AppendOutput.check(v, what);
            }
            case DROP_ACTIONS -> {
                List<String> out = new ArrayList<>();
                for (Object o : v instanceof List<?> l ? l : List.of(v)) {
                    String a = String.valueOf(o).trim().toLowerCase(Locale.ROOT);
                    if (!List.of("ignore", "log", "alert", "exit").contains(a)) {
                        throw new ConfigException(what + ": actions are ignore, log, alert, exit; not '" + o + "'");
                    }
                    out.add(a);
                }
                return List.copyOf(out);
            }
            case ANY -> {
                if (v instanceof Map<?, ?> m) {
                    Map<String, String> out = new LinkedHashMap<>();
                    m.forEach((a, b) -> out.put(String.valueOf(a), String.valueOf(b)));
                    return java.util.Collections.unmodifiableMap(out);
                }
                if (String.valueOf(v).isEmpty()) return Map.of();
                throw new ConfigException(what + " must be a mapping of NAME: VALUE");
            }
            case CONFIG_FILES -> {
                return v instanceof List<?> l ? List.copyOf(l.stream().map(String::valueOf).toList())
                        : String.valueOf(v).isEmpty() ? List.of() : List.of(String.valueOf(v));
            }
            case SYSCALL_HOOK -> {
                String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                if (!s.equals("tracepoints") && !s.equals("raw") && !s.equals("auto")) {
                    throw new ConfigException(what + " must be tracepoints, raw or auto, not '" + v + "'");
                }
                return s;
            }
        }
        throw new AssertionError(k.kind());
    }

    /** A Prometheus duration (1h30m, 15s, 500ms, 1d) or plain milliseconds, in ms. */
    static int durationMs(String s, String what) {
        if (s.matches("[0-9]+")) return Integer.parseInt(s);
        var m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h|d|w|y)").matcher(s);
        long ms = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            ms += n * switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                case "w" -> 604_800_000L;
                default -> 31_536_000_000L;
            };
            at = m.end();
        }
        if (at != s.length() || s.isEmpty() || ms <= 0 || ms > Integer.MAX_VALUE) {
            throw new ConfigException(what + " must be a duration such as 1h, 15m, 30s or 500ms, not '" + s + "'");
        }
        return (int) ms;
    }

    // --- typed access ---

    public Value value(String key) {
        Value v = values.get(key);
        if (v == null) throw new IllegalArgumentException("no config key " + key);
        return v;
    }

    public boolean bool(String key) { return (Boolean) value(key).value(); }

    public int integer(String key) { return (Integer) value(key).value(); }

    public double number(String key) { return (Double) value(key).value(); }

    public String string(String key) { return (String) value(key).value(); }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) { return (List<String>) value(key).value(); }

    public Priority priority() { return Priority.parse(string("priority")); }

    /** append_output's items, in order, then static_fields as an item that adds its values to every alert. */
    public List<AppendOutput> appendOutput() {
        List<AppendOutput> out = new ArrayList<>(AppendOutput.parse(value("append_output").value()));
        @SuppressWarnings("unchecked")
        Map<String, String> statics = (Map<String, String>) value("static_fields").value();
        if (!statics.isEmpty()) out.add(new AppendOutput(null, null, null, null, statics, false, true));
        return List.copyOf(out);
    }

    /** The {@code responses} to alerts, in order. */
    @SuppressWarnings("unchecked")
    public List<dev.vigil.agent.response.ResponseRule> responses() {
        return (List<dev.vigil.agent.response.ResponseRule>) value("responses").value();
    }

    /** The {@code rules} selections, in order, for the engine. */
    public List<RuleSelector> ruleSelectors() {
        List<RuleSelector> out = new ArrayList<>();
        for (String sel : list("rules")) {
            String[] p = sel.split(" ", 3); // "enable|disable rule|tag: PATTERN"
            boolean enable = p[0].equals("enable");
            boolean byTag = p[1].equals("tag:");
            out.add(new RuleSelector(enable, byTag, p[2]));
        }
        return List.copyOf(out);
    }

    /** "disable rule: P" as falco.yaml writes it: {@code disable: {rule: "P"}}. */
    private static String selectionYaml(String text) {
        String[] p = text.split(" ", 3);
        return p[0] + ": {" + p[1] + " \"" + p[2].replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    static String selectionText(boolean enable, boolean byTag, String pattern) {
        return (enable ? "enable " : "disable ") + (byTag ? "tag: " : "rule: ") + pattern;
    }

    /** Falco's {@code rules:} list: each item one {enable|disable: {rule|tag: PATTERN}}, kept as text in order. */
    private static List<String> ruleSelection(Object v, String what) {
        if (v instanceof String s && s.isEmpty()) return List.of();
        if (!(v instanceof List<?> items)) {
            throw new ConfigException(what + " must be a list of {enable|disable: {rule|tag: PATTERN}}");
        }
        List<String> out = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m) || m.size() != 1) {
                throw new ConfigException(what + ": each item must be one of enable: or disable:, got " + item);
            }
            var action = m.entrySet().iterator().next();
            String verb = String.valueOf(action.getKey());
            if (!verb.equals("enable") && !verb.equals("disable")) {
                throw new ConfigException(what + ": '" + verb + "' is neither enable nor disable");
            }
            if (!(action.getValue() instanceof Map<?, ?> target) || target.size() != 1) {
                throw new ConfigException(what + ": " + verb + " takes one of rule: PATTERN or tag: PATTERN");
            }
            var t = target.entrySet().iterator().next();
            String kind = String.valueOf(t.getKey());
            if (!kind.equals("rule") && !kind.equals("tag")) {
                throw new ConfigException(what + ": " + verb + " takes rule: or tag:, not '" + kind + "'");
            }
            if (t.getValue() instanceof List || t.getValue() instanceof Map || t.getValue() == null
                    || String.valueOf(t.getValue()).isEmpty()) {
                throw new ConfigException(what + ": " + verb + " " + kind + ": needs one pattern");
            }
            out.add(selectionText(verb.equals("enable"), kind.equals("tag"), String.valueOf(t.getValue())));
        }
        return List.copyOf(out);
    }

    /** The config file read, or null. */
    public Path file() { return file; }

    /** True when every key has the same value in both (where the values came from does not matter). */
    public boolean sameValues(AgentConfig other) {
        if (!values.keySet().equals(other.values.keySet())) return false;
        for (var e : values.entrySet()) {
            if (!java.util.Objects.equals(e.getValue().value(), other.values.get(e.getKey()).value())) return false;
        }
        return true;
    }

    /** Falco keys present in the file that Vigil does not act on. */
    public List<String> ignoredKeys() { return ignored.stream().map(Ignored::key).toList(); }

    /** The Falco keys Vigil does not act on, each with its position and why. */
    public List<Ignored> ignored() { return ignored; }

    /**
     * What to say once at start about the configuration: each ignored Falco key with its position, and
     * config_files entries that were skipped.
     */
    public List<String> startupNotes() {
        List<String> out = new ArrayList<>(notes);
        for (Ignored i : ignored) out.add(i.message());
        return out;
    }

    /** The effective configuration as YAML, each value commented with where it came from. */
    public String toYaml() {
        StringBuilder sb = new StringBuilder();
        sb.append("# effective configuration").append(file == null ? " (no config file)" : " (" + file + ")").append('\n');
        String section = null;
        for (Map.Entry<String, Value> e : values.entrySet()) {
            String name = e.getKey();
            int dot = name.indexOf('.');
            String sec = dot < 0 ? null : name.substring(0, dot);
            String leaf = dot < 0 ? name : name.substring(dot + 1);
            String indent = "";
            if (sec != null) {
                if (!sec.equals(section)) sb.append(sec).append(":\n");
                indent = "  ";
            }
            section = sec;
            Object v = e.getValue().value();
            sb.append(indent).append(leaf).append(':');
            if (v instanceof List<?> l) {
                if (l.isEmpty()) sb.append(" []");
                else {
                    sb.append("  # ").append(e.getValue().origin()).append('\n');
                    boolean selection = KEYS.get(e.getKey()).kind() == Kind.RULE_SELECTION;
                    for (Object o : l) {
                        sb.append(indent).append("  - ").append(selection ? selectionYaml(String.valueOf(o)) : flow(o)).append('\n');
                    }
                    continue;
                }
            } else {
                sb.append(' ').append(v instanceof String s ? scalar(s) : String.valueOf(v));
            }
            sb.append("  # ").append(e.getValue().origin()).append('\n');
        }
        if (!ignored.isEmpty()) sb.append("# ignored (Falco keys Vigil does not use): ").append(String.join(", ", ignoredKeys())).append('\n');
        return sb.toString();
    }

    /** A value as YAML flow: scalars quoted as needed, mappings {k: v}, lists [a, b]. */
    private static String flow(Object o) {
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : m.entrySet()) {
                if (sb.length() > 1) sb.append(", ");
                sb.append(scalar(String.valueOf(e.getKey()))).append(": ").append(flow(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object x : l) {
                if (sb.length() > 1) sb.append(", ");
                sb.append(flow(x));
            }
            return sb.append(']').toString();
        }
        return scalar(String.valueOf(o));
    }

    private static String scalar(String s) {
        if (s.isEmpty() || !s.matches("[A-Za-z0-9_./@-][A-Za-z0-9_./@ -]*") || s.endsWith(" ")
                || s.matches("(?i)true|false|yes|no|on|off|null|~|[0-9.]+")) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') sb.append('\\');
                sb.append(c);
            }
            return sb.append('"').toString();
        }
        return s;
    }
}
