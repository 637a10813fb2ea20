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
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the detection agent: the sensor, the rules (by default the upstream stable Falco rules",
            "shipped with Vigil) and the outputs, until SIGINT or SIGTERM.",
            "SIGHUP (or a change to a rule file or the config file) reloads the rules and the configuration (a changed configuration restarts the agent); SIGUSR1 reopens the alert file.", "",
            "Examples:",
            "  vigil run                          # stable rules, text alerts on stdout, web on 127.0.0.1:8765",
            "  vigil run --json                   # JSON alerts (Falco's shape), one a line",
            "  vigil run -r my_rules.yaml         # these rules instead of the bundled ones",
            "  vigil run -o priority=warning -o webserver.enabled=false",
            "  vigil run -c /etc/vigil/vigil.yaml # config file (read by default if present)",
            "  vigil run --policy netpol.yaml     # also enforce these network policies (pinned: they outlive the agent)"})
final class RunCommand implements Callable<Integer> {
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

    private static AgentConfig.Builder builder(Path configFile, List<String> overrides, List<Path> rules, boolean json,
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

    private AgentConfig config() {
        AgentConfig.Builder b = builder(configFile, overrides, rules, json, selections);
        if (!policies.isEmpty()) b.set("policy_files", policies.stream().map(Path::toString).toList(), "--policy");
        if (unloadPolicy) b.set("policy_unload_on_exit", true, "--unload-policy-on-exit");
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg = config();
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
        Signal.handle(new Signal("HUP"), s -> reloads.offer("SIGHUP"));
        Agent agent = Agent.start(cfg, System.err);
        current.set(agent);
        if (terminating.get()) agent.stop(); // SIGTERM while starting
        FileWatch watcher = watchConfigFile(cfg, reloads);
        try {
            running(agent, cfg);
            while (true) {
                // the reader ends on SIGINT/SIGTERM (or fails); a reload request is handled in between
                if (agent.awaitStopped(0)) break;
                String trigger = reloads.poll(200, TimeUnit.MILLISECONDS);
                if (trigger == null || terminating.get()) continue;
                AgentConfig next;
                try {
                    next = config();
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
        System.err.printf("vigil: running: %d rules, %d event types%s, startup %d ms%s%n",
                agent.rules().enabledRules().size(), agent.selectedTypes().size(),
                "raw".equals(cfg.string("sensor.syscall_hook")) ? " (raw syscall hook)" : "",
                agent.startupNanos() / 1_000_000,
                agent.webPort() > 0 ? ", web on " + cfg.string("webserver.listen_address") + ":" + agent.webPort() : "");
    }

    /** Watches the config file when watch_config_files is on; a change asks for a reload. */
    private static FileWatch watchConfigFile(AgentConfig cfg, BlockingQueue<String> reloads) {
        Path file = cfg.file();
        if (file == null || !cfg.bool("watch_config_files")) return null;
        return FileWatch.start("vigil-config-watch", () -> List.of(file), () -> reloads.offer("config file changed"));
    }
}
