package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.agent.output.FileOutput;
import dev.vigil.agent.output.Output;
import dev.vigil.agent.output.HttpOutput;
import dev.vigil.agent.output.ProgramOutput;
import dev.vigil.agent.output.StdoutOutput;
import dev.vigil.agent.output.SyslogOutput;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.Priority;
import dev.vigil.rules.RuleLoadException;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.MatchMode;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.load.RuleLoader;
import dev.vigil.rules.output.Alert;
import dev.vigil.rules.output.OutputFormat;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import dev.vigil.sensor.SensorEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The detection agent: rules loaded from the config, the sensor attached for exactly the event types the loaded
 * rules need, one reader thread evaluating every event (alerts formatted there, while the flyweight event is
 * valid, then handed to each output's bounded queue), outputs and the web endpoints on their own threads.
 *
 * <p>Lifecycle: {@link #start} (everything that can fail fails here, as one clear exception), {@link #stop} (from a
 * signal: stop capturing), {@link #awaitStopped} (the reader drained the ring and evaluated it), {@link #close}
 * (flush outputs within the configured timeout, stop the web server, detach).
 */
public final class Agent implements AutoCloseable {
    /** The bundled default rules (the upstream stable Falco rules, unmodified). */
    public static final String BUNDLED_RULES = "/rules/falco_rules.yaml";
    public static final String INTERNAL_PREFIX = "Vigil internal: ";

    private final AgentConfig config;
    private final PrintStream log;
    private final RulesEngine engine;
    private final String hostname;
    private final Priority threshold;
    private final boolean json;
    private final List<Output> outputs = new ArrayList<>();
    private final Metrics metrics = new Metrics();
    private final ConcurrentHashMap<String, RuleStats> ruleStats = new ConcurrentHashMap<>();
    private final TokenBucket dropNotices;
    private final long startNanos = System.nanoTime();
    private volatile Sensor sensor;
    private volatile Thread reader;
    private volatile WebServer web;
    private volatile boolean healthy;
    private volatile boolean stopping;
    private volatile long healthyAfterNanos = -1;
    private long rulesNanos;
    private long attachNanos;
    private volatile Throwable readerFailure;
    private volatile List<String> ruleSources = List.of();
    private volatile List<Path> watched = List.of();
    private volatile Thread watcher;
    private final Dedup dedup;
    private Set<EventType> selected = Set.of();
    private List<EventType> uncapturable = List.of();

    /** Per-rule counters (read by /metrics) and its token bucket (reader thread only). */
    static final class RuleStats {
        final String rule;
        final Priority priority;
        final java.util.concurrent.atomic.AtomicLong alerts = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong rateLimited = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong deduplicated = new java.util.concurrent.atomic.AtomicLong();
        final TokenBucket bucket;

        RuleStats(String rule, Priority priority, TokenBucket bucket) {
            this.rule = rule;
            this.priority = priority;
            this.bucket = bucket;
        }
    }

    private Agent(AgentConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
        this.threshold = config.priority();
        this.json = config.bool("json_output");
        MatchMode mode = config.string("rule_matching").equals("all") ? MatchMode.ALL : MatchMode.FIRST;
        EngineOptions opts = EngineOptions.defaults().withMatchMode(mode).withSelectors(config.ruleSelectors());
        this.hostname = opts.hostname();
        this.engine = new RulesEngine(opts);
        this.dedup = new Dedup(config.number("outputs.dedup_seconds"));
        this.dropNotices = new TokenBucket(config.number("syscall_event_drops.rate"),
                config.integer("syscall_event_drops.max_burst"));
    }

    /**
     * Starts the agent. Failures (a bad rule file, an output that cannot be opened, a port in use, no permission
     * to load BPF) throw {@link IllegalArgumentException} or the sensor's {@code BpfException}, with one line
     * saying what and where; nothing is left running.
     */
    public static Agent start(AgentConfig config, PrintStream log) {
        Agent a = new Agent(config, log);
        try {
            a.startAll();
            return a;
        } catch (RuntimeException e) {
            a.abort();
            throw e;
        }
    }

    private void startAll() {
        // Cheap checks first, so a typo does not cost a BPF load.
        loadRules();
        rulesNanos = System.nanoTime() - startNanos;
        int capacity = config.integer("outputs_queue.capacity");
        if (config.bool("file_output.enabled")) {
            FileOutput f = new FileOutput(Path.of(config.string("file_output.filename")), capacity);
            try {
                f.checkWritable();
            } catch (IOException e) {
                throw new IllegalArgumentException("file_output: cannot open " + f.path() + " for append: " + reason(e));
            }
            outputs.add(f);
        }
        if (config.bool("stdout_output.enabled")) outputs.add(new StdoutOutput(capacity));
        if (config.bool("program_output.enabled")) {
            if (config.string("program_output.program").isBlank()) {
                throw new IllegalArgumentException("program_output: program_output.program is empty");
            }
            outputs.add(new ProgramOutput(config.string("program_output.program"), capacity));
        }
        if (config.bool("syslog_output.enabled")) {
            outputs.add(new SyslogOutput(Path.of(config.string("syslog_output.socket")), capacity));
        }
        if (config.bool("http_output.enabled")) {
            // HTTP sinks take JSON: the alert goes as Falco's JSON whatever json_output says
            String spool = config.string("http_output.spool_dir");
            outputs.add(new HttpOutput(config.string("http_output.url"), config.string("http_output.user_agent"),
                    java.time.Duration.ofMillis(config.integer("http_output.timeout_ms")), capacity,
                    spool.isBlank() ? null : Path.of(spool), config.integer("http_output.spool_max_bytes")));
        }
        if (config.bool("webserver.enabled")) web = WebServer.start(this, config);
        for (Output o : outputs) o.start();

        Set<EventType> needed = neededTypes(engine.current());
        Set<EventType> capturable = EnumSet.noneOf(EventType.class);
        List<EventType> cannot = new ArrayList<>();
        for (EventType t : needed) {
            try {
                Selection.of(t);
                capturable.add(t);
            } catch (IllegalArgumentException e) {
                cannot.add(t);
            }
        }
        selected = capturable;
        uncapturable = List.copyOf(cannot);
        holdNanos = config.bool("container_engines.docker.enabled") || config.bool("container_engines.cri.enabled")
                ? config.integer("container_engines.docker.metadata_wait_ms") * 1_000_000L : 0;
        String extraText = config.string("append_output.extra_output");
        extraOutput = extraText.isBlank() ? null : OutputFormat.of(extraText);
        Sensor.Options so = Sensor.Options.defaults().withRingBytes(config.integer("sensor.ring_buffer_bytes"))
                .withSyscallHook(Sensor.SyscallHook.parse(config.string("sensor.syscall_hook")))
                .withContainers(containerResolver(config)); // owned by the sensor: closed with it
        long t0 = System.nanoTime();
        sensor = Sensor.start(Selection.of(capturable), so);
        attachNanos = System.nanoTime() - t0;
        sensor.setDropListener(this::onDrops);
        reader = Thread.ofPlatform().name("vigil-reader").start(this::readLoop);
        healthyAfterNanos = System.nanoTime() - startNanos;
        healthy = true;
        RuleSet rs = engine.current();
        List<String> missing = new ArrayList<>();
        for (EventType t : uncapturable) missing.add(t.falcoName());
        for (EventType t : sensor.unavailable()) missing.add(t.falcoName());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rules_loaded", rs.enabledRules().size());
        f.put("rules_files", ruleSources);
        f.put("outputs", outputs.stream().map(Output::name).toList());
        f.put("event_types", selected.size());
        f.put("event_types_unavailable", missing);
        f.put("startup_ms", healthyAfterNanos / 1_000_000);
        f.put("rules_load_ms", rulesNanos / 1_000_000);
        f.put("attach_ms", attachNanos / 1_000_000);
        internal(Priority.INFORMATIONAL, "agent started", f);
        if (config.bool("watch_config_files") && !watched.isEmpty()) {
            watcher = Thread.ofPlatform().daemon().name("vigil-watch").start(this::watchLoop);
        }
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such directory";
        return m == null ? e.toString() : m;
    }

    /** Loads the configured rule files (or the bundled stable rules). */
    private void loadRules() {
        List<String> files = config.list("rules_files");
        try {
            if (files.isEmpty()) {
                String text;
                try (InputStream in = Agent.class.getResourceAsStream(BUNDLED_RULES)) {
                    if (in == null) throw new IllegalStateException("bundled rules missing from the class path");
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                engine.loadSources(List.of(new RuleLoader.Source("falco_rules.yaml (bundled)", text)));
                ruleSources = List.of("falco_rules.yaml (bundled)");
            } else {
                List<Path> paths = expand(files);
                engine.load(paths);
                ruleSources = paths.stream().map(Path::toString).toList();
                List<Path> w = new ArrayList<>(paths);
                for (String f : files) if (Files.isDirectory(Path.of(f))) w.add(Path.of(f));
                watched = List.copyOf(w);
            }
        } catch (RuleLoadException e) {
            throw new IllegalArgumentException("rules: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("rules: " + e.getMessage());
        }
        for (Diagnostic d : engine.current().warnings()) {
            if ("1".equals(System.getenv("VIGIL_DEBUG"))) log.println("vigil: rules: " + d);
        }
    }

    /** Files as given; a directory stands for its *.yaml/*.yml files in name order (as Falco does). */
    static List<Path> expand(List<String> files) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String f : files) {
            Path p = Path.of(f);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(x -> x.toString().endsWith(".yaml") || x.toString().endsWith(".yml")).sorted().forEach(out::add);
                }
            } else if (!Files.isRegularFile(p)) {
                throw new IOException(f + ": no such rules file");
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** The event types of the enabled rules at or above the priority threshold. */
    private Set<EventType> neededTypes(RuleSet rs) {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (CompiledRule r : rs.enabledRules()) {
            if (r.priority().ordinal() <= threshold.ordinal()) s.addAll(r.eventTypes());
        }
        return s;
    }

    // --- the reader thread ---

    private void readLoop() {
        try {
            final Metrics m = metrics;
            java.util.function.Consumer<SensorEvent> consumer = ev -> {
                m.event(ev.typeId());
                long t0 = System.nanoTime();
                if (!held.isEmpty()) releaseHeld(t0, false);
                if (!hold(ev, t0)) engine.evaluate(ev, this::onMatch);
                m.evalNanos(System.nanoTime() - t0);
            };
            // poll ourselves (not Sensor.run) so that held events are released on time in a quiet period too
            while (!stopping) {
                sensor.pollOnce(Sensor.POLL_INTERVAL_MS, consumer);
                if (!held.isEmpty()) releaseHeld(System.nanoTime(), false);
            }
            sensor.run(consumer); // stopping: drains what is left in the ring
            releaseHeld(System.nanoTime(), true);
        } catch (Throwable t) {
            readerFailure = t;
            healthy = false;
            log.println("vigil: the reader thread failed: " + t);
        }
    }

    // --- events of a container whose metadata is on its way ---

    /**
     * An event of a container Docker has not described yet (its first processes: the inspect made at the
     * runtime's "create" event waits for the daemon to finish starting the container) is copied and evaluated once
     * the metadata is there, at most container_engines.docker.metadata_wait_ms after the container was first seen;
     * so rules such as "Launch Privileged Container" see container.privileged on the container's first exec.
     * Only the reader thread touches these.
     */
    private record Held(dev.vigil.events.Event event, long cgroupId, String cgroupPath, long deadline) {}

    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();
    private final Map<String, Long> containerFirstSeen = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Long> e) { return size() > 4096; }
    };
    private long holdNanos;
    private static final int MAX_HELD = 8192;

    /** Copies and holds the event when its container's metadata is still being fetched; false: evaluate it now. */
    private boolean hold(SensorEvent ev, long now) {
        if (holdNanos <= 0) return false;
        if (!(ev.container() instanceof dev.vigil.containers.ContainerInfo ci) || ci.complete()) return false;
        // only while metadata is on its way (a fetch from Docker or a CRI runtime is running): a container whose
        // runtime does not answer is not held at all
        String id = ci.fullId().toString();
        // (or while earlier events of it are held: they go first)
        if (!sensor.containers().metadataPending(id) && !holding(ev.cgroupId())) return false;
        Long first = containerFirstSeen.get(id);
        if (first == null) containerFirstSeen.put(id, first = now);
        long deadline = first + holdNanos;
        if (now - deadline >= 0 || held.size() >= MAX_HELD) {
            metrics.containerUnheld.incrementAndGet();
            return false;
        }
        CharSequence path = ev.cgroupPath();
        held.add(new Held(ev.snapshot(), ev.cgroupId(), path == null ? null : path.toString(), deadline));
        metrics.containerHeld.incrementAndGet();
        return true;
    }

    private boolean holding(long cgroupId) {
        for (Held h : held) if (h.cgroupId() == cgroupId) return true;
        return false;
    }

    /** Evaluates the held events whose container is now described (or whose wait is over), in order. */
    private void releaseHeld(long now, boolean all) {
        ContainerResolver r = sensor.containers();
        for (java.util.Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            ContainerView c = r.resolve(h.cgroupId(), h.cgroupPath());
            boolean complete = !(c instanceof dev.vigil.containers.ContainerInfo ci) || ci.complete()
                    || !r.metadataPending(ci.fullId());
            if (complete || all || now - h.deadline() >= 0) {
                it.remove();
                engine.evaluate(h.event().toBuilder().container(c).build(), this::onMatch);
            }
        }
    }

    /** On the reader thread, while the event is valid: threshold, rate limit, format, queue. */
    private void onMatch(CompiledRule rule, EventView e) {
        if (rule.priority().ordinal() > threshold.ordinal()) return;
        RuleStats st = ruleStats.computeIfAbsent(rule.name(), n -> new RuleStats(n, rule.priority(),
                new TokenBucket(config.number("outputs.rate"), config.integer("outputs.max_burst"))));
        if (!st.bucket.tryTake()) {
            st.rateLimited.incrementAndGet();
            return;
        }
        long suppressed = 0;
        if (dedup.enabled()) {
            suppressed = dedup.check(rule.name(), rule.formatOutput(e));
            if (suppressed < 0) {
                st.deduplicated.incrementAndGet();
                return;
            }
        }
        st.alerts.incrementAndGet();
        Alert a = rule.alert(e, hostname);
        OutputFormat extra = extraOutput;
        if (extra != null && "syscall".equals(a.source())) {
            Map<String, Object> f = new LinkedHashMap<>(a.outputFields());
            extra.values(e).forEach(f::putIfAbsent);
            a = new Alert(a.timeNanos(), a.rule(), a.priority(), a.source(), a.tags(), a.output() + " " + extra.format(e), f,
                    a.hostname());
        }
        if (suppressed > 0) {
            Map<String, Object> f = new LinkedHashMap<>(a.outputFields());
            f.put("vigil.suppressed", suppressed);
            a = new Alert(a.timeNanos(), a.rule(), a.priority(), a.source(), a.tags(),
                    a.output() + " (" + suppressed + " identical alerts suppressed)", f, a.hostname());
        }
        emit(a, a.output());
    }

    /** Hands the alert to every output, each in its format (text or JSON per json_output; HTTP JSON; syslog). */
    private void emit(Alert a, String text) {
        for (Output o : outputs) o.offer(o.render(a, text, json));
    }

    /** append_output.extra_output compiled, or null. */
    private volatile OutputFormat extraOutput;

    /**
     * Docker's metadata when container_engines.docker.enabled, the CRI's (containerd, CRI-O) when
     * container_engines.cri.enabled; neither: ids from cgroups only. Never blocks: a missing socket leaves ids only.
     */
    static ContainerResolver containerResolver(AgentConfig config) {
        String socket = config.string("container_engines.docker.socket");
        Path docker = config.bool("container_engines.docker.enabled") && !socket.isBlank() ? Path.of(socket) : null;
        List<Path> cri = !config.bool("container_engines.cri.enabled") ? List.of()
                : config.list("container_engines.cri.sockets").stream().filter(s -> !s.isBlank()).map(Path::of).toList();
        if (docker == null && cri.isEmpty()) return ContainerResolver.identityOnly();
        return ContainerResolver.create(ContainerResolver.Options.defaults().withDockerSocket(docker)
                .withWatchEvents(docker != null).withCriSockets(cri));
    }

    private void onDrops(Sensor.DropReport r) {
        metrics.dropNotice();
        if (!dropNotices.tryTake()) return;
        Map<String, Object> byKind = new LinkedHashMap<>();
        for (int k = 0; k < r.perKind().length; k++) {
            if (r.perKind()[k] > 0) byKind.put(Sensor.DropReport.kindName(k), r.perKind()[k]);
        }
        internal(Priority.CRITICAL, "syscall event drop. " + r.newDrops() + " system calls dropped since the last notice",
                new LinkedHashMap<>(Map.of("n_drops", r.newDrops(), "n_drops_total", r.total(), "n_drops_by_kind", byKind)));
    }

    /** An alert about the agent itself (Falco's "Falco internal: ..."), to every output and to the log. */
    public void internal(Priority p, String what, Map<String, Object> fields) {
        Instant now = Instant.now();
        long ns = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String rule = INTERNAL_PREFIX + what.split("[.;]", 2)[0]; // the rule: the message up to its first stop
        StringBuilder out = new StringBuilder(INTERNAL_PREFIX).append(what);
        for (Map.Entry<String, Object> f : fields.entrySet()) out.append(' ').append(f.getKey()).append('=').append(f.getValue());
        String text = dev.vigil.rules.fields.FieldRegistry.formatTime(ns) + ": " + p.display() + " " + out;
        Alert a = new Alert(ns, rule, p, "internal", List.of(), text, new LinkedHashMap<>(fields), hostname);
        emit(a, text);
    }

    // --- lifecycle ---

    /** Stops capturing (safe from a signal handler thread); the reader drains the ring and ends. */
    public void stop() {
        stopping = true;
        Sensor s = sensor;
        if (s != null) s.stop();
    }

    /** Waits until the reader has drained and ended (after {@link #stop}, or a reader failure). */
    public void awaitStopped() throws InterruptedException {
        Thread t = reader;
        if (t != null) t.join();
    }

    /** Waits at most ms (0: not at all) for the reader to end; true when it has. */
    public boolean awaitStopped(long ms) throws InterruptedException {
        Thread t = reader;
        if (t != null && ms > 0) t.join(ms);
        return t == null || !t.isAlive();
    }

    /**
     * Reloads the rule files (SIGHUP, or a watched file changed). The new set replaces the running one atomically;
     * a broken file keeps the running set, and the error (FILE:LINE:COL) is reported on stderr and as an internal
     * alert. Event types the new rules need that are not attached are reported: they are attached at the next start.
     */
    public synchronized boolean reloadRules(String trigger) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("trigger", trigger);
        try {
            loadRules();
        } catch (IllegalArgumentException e) {
            metrics.reload(false);
            log.println("vigil: rules reload (" + trigger + ") failed; the previous rules stay in force: " + e.getMessage());
            f.put("error", e.getMessage());
            internal(Priority.ERROR, "rules reload failed; the previous rules stay in force", f);
            return false;
        }
        metrics.reload(true);
        List<String> notCaptured = new ArrayList<>();
        for (EventType t : neededTypes(engine.current())) {
            if (!selected.contains(t) && !uncapturable.contains(t)) notCaptured.add(t.falcoName());
        }
        f.put("rules_loaded", engine.current().enabledRules().size());
        f.put("event_types_not_attached_until_restart", notCaptured);
        log.println("vigil: rules reloaded (" + trigger + "): " + engine.current().enabledRules().size() + " rules"
                + (notCaptured.isEmpty() ? "" : "; event types " + notCaptured + " are attached at the next start"));
        internal(Priority.INFORMATIONAL, "rules reloaded", f);
        return true;
    }

    /** Polls the rule files' size and mtime once a second (files on any file system, editors that replace files). */
    private void watchLoop() {
        String last = fingerprint();
        while (!stopping) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) return;
            String now = fingerprint();
            if (!now.equals(last)) {
                last = now;
                reloadRules("file changed");
                last = fingerprint();
            }
        }
    }

    private String fingerprint() {
        StringBuilder sb = new StringBuilder();
        for (Path p : watched) {
            try {
                sb.append(p).append(':').append(Files.getLastModifiedTime(p).toMillis()).append(':');
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        s.sorted().forEach(x -> sb.append(x.getFileName()).append(','));
                    }
                } else {
                    sb.append(Files.size(p));
                }
            } catch (IOException e) {
                sb.append(p).append(":gone");
            }
            sb.append(';');
        }
        return sb.toString();
    }

    /** Reopens file outputs (SIGUSR1). */
    public void reopenOutputs() {
        for (Output o : outputs) o.reopen();
    }

    @Override
    public void close() {
        stop();
        try {
            awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        healthy = false;
        long timeout = config.integer("shutdown.flush_timeout_ms");
        long deadline = System.currentTimeMillis() + timeout;
        for (Output o : outputs) {
            if (!o.flushAndClose(Math.max(1, deadline - System.currentTimeMillis()))) {
                log.println("vigil: output " + o.name() + " did not flush within " + timeout + " ms; " + o.dropped()
                        + " alerts lost");
            }
            if (o instanceof HttpOutput h) {
                h.stopSpool();
                if (h.spooledBytes() > 0) {
                    log.println("vigil: http output: " + h.spooledBytes() + " bytes of alerts stay spooled for the next start");
                }
            }
        }
        if (web != null) web.stop();
        if (sensor != null) sensor.close();
    }

    private void abort() {
        for (Output o : outputs) {
            o.flushAndClose(1000);
            if (o instanceof HttpOutput h) h.stopSpool();
        }
        if (web != null) web.stop();
        if (sensor != null) {
            sensor.stop();
            if (reader != null) {
                try {
                    reader.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            sensor.close();
        }
    }

    // --- state for the web endpoints and tests ---

    public boolean healthy() { return healthy && !stopping && readerFailure == null; }

    /** Time from {@link #start} to attached and rules loaded, or -1. */
    public long startupNanos() { return healthyAfterNanos; }

    public Throwable readerFailure() { return readerFailure; }

    public RuleSet rules() { return engine.current(); }

    public Priority threshold() { return threshold; }

    public List<String> ruleSources() { return ruleSources; }

    public Set<EventType> selectedTypes() { return selected; }

    /** Event types the rules need that the sensor cannot capture (those rules can still match other types). */
    public List<EventType> uncapturableTypes() { return uncapturable; }

    public Sensor sensor() { return sensor; }

    public List<Output> outputs() { return List.copyOf(outputs); }

    public Metrics metrics() { return metrics; }

    Map<String, RuleStats> ruleStats() { return ruleStats; }

    /** The web server's bound port (useful with listen_port 0), or -1. */
    public int webPort() { return web == null ? -1 : web.port(); }

    public AgentConfig config() { return config; }
}
