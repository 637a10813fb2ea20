package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.agent.alert.AlertPipeline;
import dev.vigil.agent.response.Responder;
import dev.vigil.agent.alert.TokenBucket;
import dev.vigil.agent.output.Output;
import dev.vigil.agent.output.OutputSet;
import dev.vigil.events.EventType;
import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.Priority;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.Durations;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.MatchMode;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.output.OutputFormat;
import dev.vigil.sensor.Selection;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.rules.engine.FdStateNeeds;
import dev.vigil.rules.engine.Prefilters;
import dev.vigil.sensor.Sensor;
import dev.vigil.sensor.SensorEvent;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    public static final String BUNDLED_RULES = RuleFiles.BUNDLED_RULES;
    public static final String INTERNAL_PREFIX = AlertPipeline.INTERNAL_PREFIX;

    private final AgentConfig config;
    private final AgentLog log;
    private final PrintStream logStream;
    private final RulesEngine engine;
    private final Priority threshold;
    private final RuleFiles ruleFiles;
    private final AlertPipeline alerts;
    private final Metrics metrics = new Metrics();
    private final TokenBucket dropNotices;
    private final DropMonitor dropMonitor;
    private volatile String fatal;
    private volatile Thread snapshots;
    private final long startNanos = System.nanoTime();
    private OutputSet outputs = OutputSet.of(List.of(), false);
    private Responder responder;
    private volatile Sensor sensor;
    private volatile Thread reader;
    private volatile WebServer web;
    private volatile boolean healthy;
    private volatile boolean stopping;
    private volatile long healthyAfterNanos = -1;
    private java.util.concurrent.FutureTask<Sensor.Opened> sensorOpen;
    private long rulesNanos;
    private long attachNanos;
    private volatile Throwable readerFailure;
    private volatile FileWatch watcher;
    private ContainerHold hold;
    private AgentPolicies policies;
    private final PolicyRuleEvents policyRuleEvents = new PolicyRuleEvents();
    private Set<EventType> selected = Set.of();
    /** Types base_syscalls.custom_set asks for whatever the rules say: the prefilter passes them whole. */
    private final Set<EventType> customSet = EnumSet.noneOf(EventType.class);
    private List<EventType> uncapturable = List.of();

    private Agent(AgentConfig config, PrintStream log) {
        this.config = config;
        this.log = AgentLog.of(config, log);
        this.logStream = this.log.stream(Priority.ERROR);
        this.threshold = config.priority();
        EngineOptions opts = engineOptions(config);
        this.engine = new RulesEngine(opts);
        this.ruleFiles = new RuleFiles(config.list("rules_files"));
        this.alerts = alertPipeline(config, opts);
        this.dropNotices = new TokenBucket(config.number("syscall_event_drops.rate"),
                config.integer("syscall_event_drops.max_burst"));
        this.dropMonitor = new DropMonitor(this, config);
    }

    /** The rules engine's options from the config (rule_matching, rule selections, correlation limits): shared with {@link Replay}. */
    static EngineOptions engineOptions(AgentConfig config) {
        MatchMode mode = config.string("rule_matching").equals("all") ? MatchMode.ALL : MatchMode.FIRST;
        return EngineOptions.defaults().withMatchMode(mode).withSelectors(config.ruleSelectors())
                .withCorrelationLimits(correlationLimits(config));
    }

    /** The alert pipeline the config describes (threshold, rate, dedup, appended output), without sinks. */
    static AlertPipeline alertPipeline(AgentConfig config, EngineOptions opts) {
        return new AlertPipeline(new AlertPipeline.Options(config.priority(), config.number("outputs.rate"),
                config.integer("outputs.max_burst"), config.number("outputs.dedup_seconds"),
                AlertPipeline.Appender.compile(config.appendOutput()), opts.hostname(), config.bool("time_format_iso_8601")));
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
        for (String note : config.startupNotes()) log.log(Priority.WARNING, note);
        // The sensor's object opens (ELF, BTF, layout checks: no kernel load yet) beside the rule load, on the
        // other CPU (issue #17: start to healthy). The load itself waits for the rules, so a typo still costs no
        // BPF load, and a rule error is reported before anything the open found.
        sensorOpen = new java.util.concurrent.FutureTask<>(Sensor::open);
        Thread.ofPlatform().daemon().name("vigil-sensor-open").start(sensorOpen);
        loadRules();
        policies = AgentPolicies.load(this, config, log.stream(Priority.INFORMATIONAL), line -> outputs.outputs().forEach(o -> o.offer(line)),
                policyRuleEvents);
        rulesNanos = System.nanoTime() - startNanos;
        outputs = OutputSet.fromConfig(config);
        alerts.addSink(outputs);
        if (!config.responses().isEmpty()) {
            String socket = config.string("container_engines.docker.socket");
            responder = new Responder(config.responses(), socket.isBlank() ? null : Path.of(socket), this::internal);
            alerts.addSink(responder); // after the outputs: the alert is out before anything is killed
        }
        if (config.bool("webserver.enabled")) web = WebServer.start(this, config);
        outputs.start();
        policies.start(); // before the sensor: protection does not wait for detection

        Set<EventType> needed = neededTypes(engine.current());
        // Falco's base_syscalls.custom_set: these are captured too (a leading ! removes one the rules did not ask for)
        List<String> unknownCustom = new ArrayList<>();
        // syscalls without a decoder that rules name in evt.type: captured as the generic event
        Set<Integer> generic = new java.util.TreeSet<>(engine.current().requiredSyscalls());
        for (String name : config.list("base_syscalls.custom_set")) {
            boolean remove = name.startsWith("!");
            EventType t = EventType.byName(remove ? name.substring(1) : name);
            int nr = dev.vigil.events.Syscalls.number(remove ? name.substring(1) : name);
            if ((t == null || t == EventType.SYSCALL) && nr >= 0) {
                if (!remove) generic.add(nr);
                else if (!engine.current().requiredSyscalls().contains(nr)) generic.remove(nr);
            } else if (t == null) unknownCustom.add(name);
            else if (!remove) {
                needed.add(t);
                customSet.add(t);
            }
            else if (engine.current().enabledRules().stream().noneMatch(r -> r.eventTypes().contains(t))) needed.remove(t);
        }
        if (!unknownCustom.isEmpty()) {
            log.log(Priority.WARNING, config.value("base_syscalls.custom_set").origin() + ": base_syscalls.custom_set: "
                    + unknownCustom + " are not events Vigil decodes, not captured");
        }
        Set<EventType> capturable = EnumSet.noneOf(EventType.class);
        List<EventType> cannot = new ArrayList<>();
        Set<EventType> fromPolicies = EnumSet.noneOf(EventType.class);
        for (EventType t : needed) {
            if (PolicyRuleEvents.TYPES.contains(t)) {
                if (policies.active()) fromPolicies.add(t); // the policy engine's flows, not the sensor's
                else cannot.add(t); // no policy_files: nothing produces them
                continue;
            }
            try {
                Selection.of(t);
                if (!Sensor.availableHere(t)) {
                    cannot.add(t); // reported as not captured (e.g. tcp_send_reset before 6.10)
                    continue;
                }
                capturable.add(t);
            } catch (IllegalArgumentException e) {
                cannot.add(t);
            }
        }
        uncapturable = List.copyOf(cannot);
        Sensor.Options so = Sensor.Options.defaults().withRingBytes(config.integer("sensor.ring_buffer_bytes"))
                .withSyscallHook(Sensor.SyscallHook.parse(config.string("sensor.syscall_hook")))
                .withContainers(containerResolver(config)); // owned by the sensor: closed with it
        long t0 = System.nanoTime();
        capturable.remove(EventType.SYSCALL); // the generic set says which syscalls
        sensor = Sensor.start(Selection.of(capturable, generic), so, openedSensor());
        attachNanos = System.nanoTime() - t0;
        Set<EventType> all = EnumSet.copyOf(capturable);
        all.addAll(fromPolicies);
        selected = all;
        installPrefilter();
        long holdNanos = config.bool("container_engines.docker.enabled") || config.bool("container_engines.cri.enabled")
                ? config.integer("container_engines.docker.metadata_wait_ms") * 1_000_000L : 0;
        hold = new ContainerHold(holdNanos, sensor.containers(), metrics, e -> engine.evaluate(e, alerts.engineSink()));
        reader = Thread.ofPlatform().name("vigil-reader").start(this::readLoop);
        dropMonitor.start();
        if (config.bool("metrics.enabled")) {
            snapshots = Thread.ofPlatform().daemon().name("vigil-metrics").start(this::snapshotLoop);
        }
        healthyAfterNanos = System.nanoTime() - startNanos;
        healthy = true;
        RuleSet rs = engine.current();
        List<String> missing = new ArrayList<>();
        for (EventType t : uncapturable) missing.add(t.falcoName());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("rules_loaded", rs.enabledRules().size());
        f.put("correlations_loaded", rs.correlations().enabled().size());
        f.put("rules_files", ruleFiles.sources());
        f.put("outputs", outputs.outputs().stream().map(Output::name).toList());
        f.put("event_types", selected.size());
        f.put("event_types_unavailable", missing);
        // no tracepoint on this kernel (module syscalls without CONFIG_MODULES): seen through the raw sys_exit hook
        f.put("event_types_raw_hooked", sensor.rawHooked().stream().map(EventType::falcoName).toList());
        f.put("startup_ms", healthyAfterNanos / 1_000_000);
        // from the process's start (the JVM's own start and the command line before the agent): /proc, 10 ms ticks
        ProcessHandle.current().info().startInstant().ifPresent(t ->
                f.put("since_launch_ms", java.time.Duration.between(t, java.time.Instant.now()).toMillis()));
        f.put("rules_load_ms", rulesNanos / 1_000_000);
        f.put("attach_ms", attachNanos / 1_000_000);
        Sensor.StartTimes st = sensor.startTimes(); // the parts of attach_ms
        f.put("bpf_open_ms", st.openNanos() / 1_000_000);
        f.put("bpf_load_ms", st.loadNanos() / 1_000_000);
        f.put("proc_seed_ms", st.seedNanos() / 1_000_000);
        f.put("syscall_attach_ms", st.attachNanos() / 1_000_000);
        internal(Priority.INFORMATIONAL, "agent started", f);
        if (config.bool("watch_config_files") && !ruleFiles.watched().isEmpty()) {
            watcher = FileWatch.start("vigil-watch", ruleFiles::watched, () -> reloadRules("file changed"));
        }
    }

    /**
     * What {@code vigil run --dry-run} (Falco's) checks, with no kernel: the configured rules load (returned, with
     * the configured selection), append_output compiles.
     */
    public static RuleSet dryRun(AgentConfig config) {
        RulesEngine engine = new RulesEngine(engineOptions(config));
        new RuleFiles(config.list("rules_files")).loadInto(engine);
        AlertPipeline.Appender.compile(config.appendOutput());
        return engine.current();
    }

    /** The rule files the configuration names, as loaded (the bundled file by its name). */
    public static List<String> ruleSources(AgentConfig config) {
        RuleFiles f = new RuleFiles(config.list("rules_files"));
        f.loadInto(new RulesEngine(EngineOptions.defaults()));
        return f.sources();
    }

    /** Loads the configured rule files (or the bundled stable rules). */
    private void loadRules() {
        ruleFiles.loadInto(engine);
        for (Diagnostic d : engine.current().warnings()) {
            log.log(Priority.DEBUG, "vigil: rules: " + d);
        }
    }

    /**
     * The in-kernel prefilter of the rules in force (issue #17; sensor.prefilter: false turns it off): the open
     * family is written to the ring only when an enabled rule or correlation could match it, or the fd table needs
     * it (see {@link FdStateNeeds}).
     */
    private void installPrefilter() {
        if (sensor == null || !config.bool("sensor.prefilter") || config.bool("base_syscalls.all")) return;
        sensor.installPrefilter(prefilterOf(engine.current(), selected, customSet, config));
    }

    /**
     * What `vigil rules explain` prints: the prefilter the agent would install for the configured rules, with no
     * kernel (the selection assumed capturable: the rules' types and base_syscalls.custom_set).
     */
    public static Prefilter explainPrefilter(AgentConfig config) {
        RuleSet rs = dryRun(config);
        Set<EventType> selected = EnumSet.noneOf(EventType.class), custom = EnumSet.noneOf(EventType.class);
        selected.addAll(rs.requiredEventTypes());
        for (String name : config.list("base_syscalls.custom_set")) {
            EventType t = EventType.byName(name);
            if (t != null) custom.add(t);
        }
        selected.addAll(custom);
        if (!config.bool("sensor.prefilter") || config.bool("base_syscalls.all")) return Prefilter.NONE;
        return prefilterOf(rs, selected, custom, config);
    }

    /** The prefilter the agent installs for these rules and selected types (what `vigil rules explain` prints). */
    public static Prefilter prefilterOf(RuleSet rs, Set<EventType> selected, Set<EventType> customSet, AgentConfig config) {
        return Prefilters.derive(rs, selected, customSet, fdStateNeeds(rs, selected, config));
    }

    /** Whether any alert can read fd state an open created (issue #17): then every successful open passes. */
    public static FdStateNeeds fdStateNeeds(RuleSet rs, Set<EventType> selected, AgentConfig config) {
        StringBuilder extra = new StringBuilder();
        for (dev.vigil.agent.config.AppendOutput a : config.appendOutput()) {
            if (a.extraOutput() != null) extra.append(a.extraOutput()).append(' ');
            if (a.extraFields() != null) extra.append(a.extraFields().values()).append(' ');
        }
        return FdStateNeeds.of(rs, selected, Sensor.fdTableReaders(), extra.toString());
    }

    /** The event types of the enabled rules and correlations at or above the priority threshold. */
    private Set<EventType> neededTypes(RuleSet rs) {
        Set<EventType> s = EnumSet.noneOf(EventType.class);
        for (CompiledRule r : rs.enabledRules()) {
            if (r.priority().ordinal() <= threshold.ordinal()) s.addAll(r.eventTypes());
        }
        for (Correlation c : rs.correlations().enabled()) {
            if (c.priority().ordinal() <= threshold.ordinal()) s.addAll(c.eventTypes());
        }
        return s;
    }

    /** correlation.max_window and correlation.max_keys (checked by the config). */
    static EngineOptions.CorrelationLimits correlationLimits(AgentConfig config) {
        EngineOptions.CorrelationLimits d = EngineOptions.CorrelationLimits.DEFAULTS;
        String mw = config.string("correlation.max_window");
        long w = Durations.parse(mw);
        if (w <= 0) throw new IllegalArgumentException("correlation.max_window must be a duration such as 1h or 600s, not '" + mw + "'");
        int keys = config.integer("correlation.max_keys");
        if (keys < 1 || keys > d.maxKeysLimit()) {
            throw new IllegalArgumentException("correlation.max_keys must be between 1 and " + d.maxKeysLimit() + ", not " + keys);
        }
        return new EngineOptions.CorrelationLimits(w, keys, d.maxKeysLimit());
    }

    // --- the reader thread ---

    /** Events per timed one for vigil_rule_evaluation_seconds_total (a power of two). */
    static final int EVAL_SAMPLE = 32;

    private void readLoop() {
        try {
            final Metrics m = metrics;
            final ContainerHold h = hold;
            // The clock is read for one event in EVAL_SAMPLE, not twice per event (issue #17): a compiled
            // System.nanoTime costs ~40 ns on this VM's TSC, ~80 ns a record of a ~1 us budget; the total is scaled up.
            java.util.function.Consumer<SensorEvent> consumer = new java.util.function.Consumer<>() {
                private int n;

                @Override
                public void accept(SensorEvent ev) {
                    m.event(ev.typeId());
                    boolean timed = (++n & (EVAL_SAMPLE - 1)) == 0;
                    long t0 = timed ? System.nanoTime() : 0;
                    if (!h.isEmpty()) h.release(System.nanoTime(), false);
                    if (!h.hold(ev)) engine.evaluate(ev, alerts.engineSink());
                    if (timed) m.evalNanos((System.nanoTime() - t0) * EVAL_SAMPLE);
                }
            };
            final PolicyRuleEvents pr = policyRuleEvents;
            final Sensor s = sensor;
            java.util.function.Consumer<dev.vigil.events.EventView> policyConsumer = ev -> {
                m.event(ev.typeId());
                long t0 = System.nanoTime();
                engine.evaluate(ev, alerts.engineSink());
                m.evalNanos(System.nanoTime() - t0);
            };
            // poll ourselves (not Sensor.run) so that held events are released on time in a quiet period too
            while (!stopping) {
                sensor.pollOnce(Sensor.POLL_INTERVAL_MS, consumer);
                if (!h.isEmpty()) h.release(System.nanoTime(), false);
                if (!pr.isEmpty()) pr.drain(s, policyConsumer);
            }
            sensor.run(consumer); // stopping: drains what is left in the ring
            h.release(System.nanoTime(), true);
            pr.drain(s, policyConsumer);
        } catch (Throwable t) {
            readerFailure = t;
            healthy = false;
            log.log(Priority.CRITICAL, "vigil: the reader thread failed: " + t);
        }
    }

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

    /** Falco's syscall_event_drops actions, for drops over the threshold in the last second (DropMonitor). */
    void onDrops(long newDrops, long events, Map<String, Object> fields, List<String> actions) {
        if (actions.contains("ignore") && actions.size() == 1) return;
        if (!dropNotices.tryTake(System.nanoTime())) return;
        String what = "syscall event drop. " + newDrops + " system calls dropped in last second.";
        for (String action : actions) {
            switch (action) {
                case "log" -> log.log(Priority.ERROR, "Falco internal: " + what);
                case "alert" -> alerts.falcoInternal(Priority.CRITICAL, what, fields);
                case "exit" -> {
                    fatal = "Falco internal: " + what + " Exiting (syscall_event_drops.actions: exit)";
                    log.log(Priority.CRITICAL, fatal);
                    stop();
                }
                default -> { }
            }
        }
    }

    /**
     * Falco's metrics: every metrics.interval, the snapshot as the alert {@code Falco internal: metrics snapshot}
     * (output_rule, when the priority threshold lets informational through) and/or a JSON line in output_file.
     */
    private void snapshotLoop() {
        long interval = config.integer("metrics.interval");
        while (!stopping) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (stopping) return;
            emitMetricsSnapshot();
        }
    }

    /** One metrics snapshot to the configured places. */
    public void emitMetricsSnapshot() {
        Map<String, Object> f = FalcoMetrics.snapshot(this, config.bool("metrics.rules_counters_enabled"),
                config.bool("metrics.resource_utilization_enabled"), config.bool("metrics.state_counters_enabled"),
                config.bool("metrics.kernel_event_counters_enabled"), config.bool("metrics.convert_memory_to_mb"),
                config.bool("metrics.include_empty_values"));
        if (config.bool("metrics.output_rule") && FalcoMetrics.snapshotAllowed(threshold)) {
            alerts.falcoInternal(Priority.INFORMATIONAL, "metrics snapshot", "Falco metrics snapshot", f);
        }
        String file = config.string("metrics.output_file");
        if (!file.isBlank()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("hostname", alerts.hostname());
            line.put("output_fields", f);
            line.put("sample", metrics.snapshots.incrementAndGet());
            StringBuilder sb = new StringBuilder();
            dev.vigil.rules.output.Json.value(sb, line);
            try {
                java.nio.file.Files.writeString(Path.of(file), sb.append('\n'), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                log.log(Priority.ERROR, "vigil: metrics.output_file: " + file + ": " + e.getMessage());
            }
        }
    }

    /** Why the agent stopped itself (syscall_event_drops exit), or null. */
    public String fatal() { return fatal; }

    /** Vigil's own log (log_level, log_stderr, log_syslog). */
    public AgentLog log() { return log; }

    /** An alert about the agent itself (Falco's "Falco internal: ..."), to every output. */
    public void internal(Priority p, String what, Map<String, Object> fields) {
        alerts.internal(p, what, fields);
    }

    /** The path every alert takes to the outputs; responses and other actions add their sink here. */
    public AlertPipeline alerts() { return alerts; }

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
        // the new rules may need what the old prefilter drops: everything passes until theirs is in
        if (sensor != null && config.bool("sensor.prefilter")) sensor.installPrefilter(Prefilter.NONE);
        try {
            loadRules();
        } catch (IllegalArgumentException e) {
            installPrefilter();
            metrics.reload(false);
            log.log(Priority.ERROR, "vigil: rules reload (" + trigger + ") failed; the previous rules stay in force: " + e.getMessage());
            f.put("error", e.getMessage());
            internal(Priority.ERROR, "rules reload failed; the previous rules stay in force", f);
            return false;
        }
        metrics.reload(true);
        installPrefilter();
        List<String> notCaptured = new ArrayList<>();
        for (EventType t : neededTypes(engine.current())) {
            boolean live = PolicyRuleEvents.TYPES.contains(t) && policies != null && policies.active(); // no attach needed
            if (!selected.contains(t) && !uncapturable.contains(t) && !live) notCaptured.add(t.falcoName());
        }
        f.put("rules_loaded", engine.current().enabledRules().size());
        f.put("event_types_not_attached_until_restart", notCaptured);
        log.log(Priority.INFORMATIONAL, "vigil: rules reloaded (" + trigger + "): " + engine.current().enabledRules().size() + " rules"
                + (notCaptured.isEmpty() ? "" : "; event types " + notCaptured + " are attached at the next start"));
        internal(Priority.INFORMATIONAL, "rules reloaded", f);
        return true;
    }

    /** Reloads the policy files (SIGHUP, POST /reload); false when one is broken and the running policies stay. */
    public boolean reloadPolicies(String trigger) {
        return policies == null || policies.reload(trigger);
    }

    /** Reopens file outputs (SIGUSR1). */
    public void reopenOutputs() {
        outputs.reopen();
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
        if (watcher != null) watcher.close();
        dropMonitor.close();
        if (snapshots != null) snapshots.interrupt();
        outputs.flushAndClose(config.integer("shutdown.flush_timeout_ms"), logStream);
        if (web != null) web.stop();
        if (sensor != null) sensor.close();
        if (policies != null) policies.close();
    }

    /** The object {@link Sensor#open} made beside the rule load; its failure is the sensor's, as before. */
    private Sensor.Opened openedSensor() {
        try {
            return sensorOpen.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error r) throw r;
            throw new IllegalStateException("opening the sensor: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the sensor's object was opened");
        }
    }

    private void abort() {
        if (sensor == null && sensorOpen != null) { // an opened object the start never took
            try {
                sensorOpen.get().close();
            } catch (Exception | Error ignored) { // its failure is not the one to report
                if (ignored instanceof InterruptedException) Thread.currentThread().interrupt();
            }
        }
        dropMonitor.close();
        if (snapshots != null) snapshots.interrupt();
        if (policies != null) policies.close();
        if (watcher != null) watcher.close();
        outputs.flushAndClose(1000, null);
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

    public List<String> ruleSources() { return ruleFiles.sources(); }

    public Set<EventType> selectedTypes() { return selected; }

    /** Event types the rules need that the sensor cannot capture (those rules can still match other types). */
    public List<EventType> uncapturableTypes() { return uncapturable; }

    public Sensor sensor() { return sensor; }

    public List<Output> outputs() { return outputs.outputs(); }

    public Metrics metrics() { return metrics; }

    /** The responses to alerts, or null when none are configured. */
    public Responder responder() { return responder; }

    /** The web server's bound port (useful with listen_port 0), or -1. */
    public int webPort() { return web == null ? -1 : web.port(); }

    public AgentConfig config() { return config; }

    /** The policy decisions handed to the rules (netpol_deny events): received and dropped counts. */
    PolicyRuleEvents policyRuleEvents() { return policyRuleEvents; }

    /** The policy side (engine, flows), or null before start. */
    AgentPolicies policies() { return policies; }
}
