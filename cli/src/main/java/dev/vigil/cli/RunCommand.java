package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.FileWatch;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.rules.Priority;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code vigil run}: the detection agent. */
@Command(name = "run", versionProvider = Vigil.Version.class, sortOptions = false,
        description = {"Run the detection agent: the sensor, the rules (by default the upstream stable Falco rules",
            "shipped with Vigil) and the outputs, until SIGINT or SIGTERM.",
            "SIGHUP (or a change to a rule file or the config file) reloads the rules and the configuration (a changed configuration restarts the agent); SIGUSR1 reopens the alert file.", "",
            "Examples:",
            "  vigil run                          # stable rules, text alerts on stdout, web on 127.0.0.1:8765",
            "  vigil run --json                   # JSON alerts (Falco's shape), one a line",
            "  vigil run -r my_rules.yaml         # these rules instead of the bundled ones",
            "  vigil run -o priority=warning -o webserver.enabled=false",
            "  vigil run -c /etc/vigil/vigil.yaml # config file (read by default if present)",
            "  vigil run --policy netpol.yaml     # also enforce these network policies (pinned: they outlive the agent)",
            "  vigil run -c /etc/falco/falco.yaml -L   # Falco's flags: list the rules and exit"})
final class RunCommand implements Callable<Integer> {
    // -V is Falco's --validate here, not a version flag: only --version prints the version
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    @Option(names = {"-V", "--validate"}, paramLabel = "FILE",
            description = "Falco's -V: validate these rule files (repeatable) and exit; 1 if any is invalid.")
    List<Path> validate = new ArrayList<>();

    @Option(names = "-L", description = "Falco's -L: list the loaded rules (name, description) and exit.")
    boolean listRules;

    @Option(names = "-l", paramLabel = "RULE", description = "Falco's -l: show one rule's name and description and exit.")
    String describeRule;

    @Option(names = "--list", arity = "0..1", fallbackValue = "", paramLabel = "SOURCE",
            description = "Falco's --list: list the fields (of SOURCE: syscall) and exit.")
    String listFields;

    @Option(names = "-N", description = "With --list: only the field names.")
    boolean namesOnly;

    @Option(names = "--list-events", description = "Falco's --list-events: list the events Vigil decodes and exit.")
    boolean listEvents;

    @Option(names = "--dry-run", description = "Falco's --dry-run: load the config and rules, open no kernel program, exit.")
    boolean dryRun;

    @Option(names = "--support", description = "Falco's --support: print the version, system, config and rules as JSON and exit.")
    boolean support;

    @Option(names = "-M", paramLabel = "SECONDS", description = "Falco's -M: stop after this many seconds.")
    Integer stopAfterSeconds;

    @Option(names = {"-U", "--unbuffered"}, description = "Falco's -U: flush each alert (buffered_outputs=false).")
    boolean unbuffered;

    @Option(names = "-A", description = "Falco's -A (all events): accepted; Vigil captures what the rules need.")
    boolean allEvents;

    @Option(names = "--enable-source", paramLabel = "SOURCE", description = "Falco's --enable-source (Vigil's source: syscall).")
    List<String> enableSources = new ArrayList<>();

    @Option(names = "--disable-source", paramLabel = "SOURCE", description = "Falco's --disable-source.")
    List<String> disableSources = new ArrayList<>();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (YAML, falco.yaml key names); default /etc/vigil/vigil.yaml if present.")
    Path configFile;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE", description = "Rule file or directory (repeatable); replaces rules_files.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--json", description = "JSON alerts (json_output=true).")
    boolean json;

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file or folder (repeatable); replaces policy_files.")
    List<Path> policies = new ArrayList<>();

    @Option(names = "--unload-policy-on-exit", description = "Unpin the policy state at exit (policy_unload_on_exit=true).")
    boolean unloadPolicy;

    /** Rule selections in command-line order, after the config file's (each "enable|disable rule|tag: P"). */
    final List<String[]> selections = new ArrayList<>();

    @Option(names = "--disable-rule", paramLabel = "PATTERN", description = "Disable rules whose name matches (wildcards * ?; repeatable, applied in order).")
    void disableRule(String p) { selections.add(new String[] {"disable", "rule", p}); }

    @Option(names = "--enable-rule", paramLabel = "PATTERN", description = "Enable rules whose name matches (e.g. after --disable-rule '*').")
    void enableRule(String p) { selections.add(new String[] {"enable", "rule", p}); }

    @Option(names = "--disable-tag", paramLabel = "TAG", description = "Disable rules with a matching tag.")
    void disableTag(String p) { selections.add(new String[] {"disable", "tag", p}); }

    @Option(names = "--enable-tag", paramLabel = "TAG", description = "Enable rules with a matching tag.")
    void enableTag(String p) { selections.add(new String[] {"enable", "tag", p}); }

    static AgentConfig config(Path configFile, List<String> overrides, List<Path> rules, boolean json) {
        return config(configFile, overrides, rules, json, List.of());
    }

    static AgentConfig config(Path configFile, List<String> overrides, List<Path> rules, boolean json,
            List<String[]> selections) {
        return builder(configFile, overrides, rules, json, selections).build();
    }

    static AgentConfig.Builder builder(Path configFile, List<String> overrides, List<Path> rules, boolean json,
            List<String[]> selections) {
        AgentConfig.Builder b = AgentConfig.builder();
        if (configFile != null) b.file(configFile, true);
        else b.file(AgentConfig.DEFAULT_FILE, false);
        for (String o : overrides) b.override(o);
        if (!rules.isEmpty()) b.set("rules_files", rules.stream().map(Path::toString).toList(), "-r");
        if (json) b.set("json_output", true, "--json");
        for (String[] sel : selections) {
            b.addRuleSelection(sel[0].equals("enable"), sel[1].equals("tag"), sel[2], "--" + sel[0] + "-" + sel[1]);
        }
        return b;
    }

    /** Falco's flags that print something and exit; null when the agent is to run. */
    private Integer informational() throws Exception {
        if (!validate.isEmpty()) return FalcoListings.validate(validate, System.out);
        if (listFields != null) {
            if (!FalcoListings.listFields(listFields, namesOnly, System.out)) {
                throw new IllegalArgumentException("--list: unknown event source '" + listFields + "' (Vigil has: syscall)");
            }
            return 0;
        }
        if (listEvents) {
            FalcoListings.listEvents(System.out);
            return 0;
        }
        if (!listRules && describeRule == null && !support && !dryRun) return null;
        AgentConfig cfg = runConfig();
        if (support) {
            String text = cfg.file() == null ? "" : java.nio.file.Files.readString(cfg.file());
            FalcoListings.support(text, Agent.ruleSources(cfg), "vigil " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                    System.out);
            return 0;
        }
        dev.vigil.rules.engine.RuleSet rs = Agent.dryRun(cfg);
        if (listRules) FalcoListings.listRules(rs, System.out);
        else if (describeRule != null && !FalcoListings.describeRule(rs, describeRule, System.out)) {
            throw new IllegalArgumentException("-l: no rule named '" + describeRule + "' in the loaded rules");
        } else if (dryRun) {
            for (String n : cfg.startupNotes()) System.err.println("vigil: " + n);
            System.out.printf("dry run: configuration and %d rules (%d enabled) loaded; nothing was attached%n",
                    rs.rules().size(), rs.enabledRules().size());
        }
        return 0;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The configuration with Falco's flags that set keys (-U, -A) and the source checks. */
    private AgentConfig runConfig() {
        checkSources();
        AgentConfig.Builder b = builder(configFile, overrides, rules, json, selections);
        if (unbuffered) b.set("buffered_outputs", false, "-U");
        if (allEvents) b.set("base_syscalls.all", true, "-A");
        if (!policies.isEmpty()) b.set("policy_files", policies.stream().map(Path::toString).toList(), "--policy");
        if (unloadPolicy) b.set("policy_unload_on_exit", true, "--unload-policy-on-exit");
        return b.build();
    }

    private void checkSources() {
        if (!enableSources.isEmpty() && !disableSources.isEmpty()) {
            throw new IllegalArgumentException("--enable-source and --disable-source cannot be used together (as in Falco)");
        }
        for (String src : concat(enableSources, disableSources)) {
            if (!FalcoListings.SOURCES.contains(src)) {
                throw new IllegalArgumentException("unknown event source '" + src + "' (Vigil has: "
                        + String.join(", ", FalcoListings.SOURCES) + "; plugin sources are not available)");
            }
        }
        if (disableSources.containsAll(FalcoListings.SOURCES)) {
            throw new IllegalArgumentException("--disable-source: every event source is disabled; at least one must stay enabled");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public Integer call() throws Exception {
        Integer done = informational();
        if (done != null) return done;
        AgentConfig cfg = runConfig();
        long stopAt = stopAfterSeconds == null ? Long.MAX_VALUE : System.nanoTime() + stopAfterSeconds * 1_000_000_000L;
        BlockingQueue<String> reloads = new LinkedBlockingQueue<>();
        AtomicReference<Agent> current = new AtomicReference<>();
        AtomicBoolean terminating = new AtomicBoolean();
        // Handlers before the start: the agent answers /healthz while starting, and a signal sent as soon as it
        // does must not meet the JVM's default action (SIGHUP would end the process).
        Signals.onTerminate(() -> {
            terminating.set(true);
            Agent a = current.get();
            if (a != null) a.stop();
        });
        Signal.handle(new Signal("USR1"), s -> {
            Agent a = current.get();
            if (a != null) a.reopenOutputs();
        });
        Signals.onReload(() -> reloads.offer("SIGHUP"));
        Agent agent = Agent.start(cfg, System.err);
        current.set(agent);
        if (terminating.get()) agent.stop(); // SIGTERM while starting
        FileWatch watcher = watchConfigFile(cfg, reloads);
        try {
            running(agent, cfg);
            while (true) {
                // the reader ends on SIGINT/SIGTERM (or fails); a reload request is handled in between
                if (agent.awaitStopped(0)) break;
                if (System.nanoTime() - stopAt >= 0) agent.stop(); // -M: the reader drains and ends
                String trigger = reloads.poll(200, TimeUnit.MILLISECONDS);
                if (trigger == null || terminating.get()) continue;
                AgentConfig next;
                try {
                    next = runConfig();
                } catch (RuntimeException e) {
                    // a broken edit keeps the running configuration (and its rules), as for rule files
                    System.err.println("vigil: configuration reload (" + trigger + ") failed; the running configuration stays: "
                            + e.getMessage());
                    agent.internal(Priority.ERROR, "configuration reload failed; the running configuration stays",
                            new LinkedHashMap<>(Map.of("trigger", trigger, "error", String.valueOf(e.getMessage()))));
                    continue;
                }
                if (next.sameValues(cfg)) {
                    agent.reloadRules(trigger);
                    agent.reloadPolicies(trigger);
                    continue;
                }
                // Like Falco, a configuration change restarts the agent (outputs, web server, sensor selection
                // may all change): the old one drains, flushes and detaches first, so nothing is evaluated
                // twice; the kernel is not watched during the restart, and the log says for how long.
                System.err.println("vigil: configuration changed (" + trigger + "): restarting the agent");
                long t0 = System.nanoTime();
                agent.close();
                Agent started;
                try {
                    started = Agent.start(next, System.err);
                    if (next.bool("watch_config_files") != cfg.bool("watch_config_files")) {
                        // the switch itself was reloaded: start or stop watching with it
                        if (watcher != null) watcher.close();
                        watcher = watchConfigFile(next, reloads);
                    }
                    cfg = next;
                } catch (RuntimeException e) {
                    System.err.println("vigil: the new configuration did not start (" + e.getMessage()
                            + "); starting again with the previous one");
                    started = Agent.start(cfg, System.err);
                }
                agent = started;
                current.set(agent);
                if (terminating.get()) agent.stop(); // a SIGTERM during the restart
                System.err.printf("vigil: restarted in %d ms (events in that time were not observed)%n",
                        (System.nanoTime() - t0) / 1_000_000);
                running(agent, cfg);
            }
            if (agent.fatal() != null) {
                System.err.println("vigil run: " + agent.fatal());
                return Vigil.EXIT_FINDINGS;
            }
            if (agent.readerFailure() != null) {
                throw new IllegalStateException("the reader failed: " + agent.readerFailure());
            }
        } finally {
            if (watcher != null) watcher.close();
            agent.close();
        }
        return 0;
    }

    private static void running(Agent agent, AgentConfig cfg) {
        agent.log().log(dev.vigil.rules.Priority.INFORMATIONAL, String.format("vigil: running: %d rules, %d event types%s, startup %d ms%s",
                agent.rules().enabledRules().size(), agent.selectedTypes().size(),
                "raw".equals(cfg.string("sensor.syscall_hook")) ? " (raw syscall hook)" : "",
                agent.startupNanos() / 1_000_000,
                agent.webPort() > 0 ? ", web on " + cfg.string("webserver.listen_address") + ":" + agent.webPort() : ""));
    }

    /** Watches the config file when watch_config_files is on; a change asks for a reload. */
    private static FileWatch watchConfigFile(AgentConfig cfg, BlockingQueue<String> reloads) {
        Path file = cfg.file();
        if (file == null || !cfg.bool("watch_config_files")) return null;
        return FileWatch.start("vigil-config-watch", () -> List.of(file), () -> reloads.offer("config file changed"));
    }
}
