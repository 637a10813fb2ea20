package dev.vigil.cli;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code vigil run}: the detection agent. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the detection agent: the sensor, the rules (by default the upstream stable Falco rules",
            "shipped with Vigil) and the outputs, until SIGINT or SIGTERM.",
            "SIGHUP (or a change to a rule file) reloads the rules; SIGUSR1 reopens the alert file.", "",
            "Examples:",
            "  vigil run                          # stable rules, text alerts on stdout, web on 127.0.0.1:8765",
            "  vigil run --json                   # JSON alerts (Falco's shape), one a line",
            "  vigil run -r my_rules.yaml         # these rules instead of the bundled ones",
            "  vigil run -o priority=warning -o webserver.enabled=false",
            "  vigil run -c /etc/vigil/vigil.yaml # config file (read by default if present)"})
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
        AgentConfig.Builder b = AgentConfig.builder();
        if (configFile != null) b.file(configFile, true);
        else b.file(AgentConfig.DEFAULT_FILE, false);
        for (String o : overrides) b.override(o);
        if (!rules.isEmpty()) b.set("rules_files", rules.stream().map(Path::toString).toList(), "-r");
        if (json) b.set("json_output", true, "--json");
        for (String[] sel : selections) {
            b.addRuleSelection(sel[0].equals("enable"), sel[1].equals("tag"), sel[2], "--" + sel[0] + "-" + sel[1]);
        }
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg = config(configFile, overrides, rules, json, selections);
        try (Agent agent = Agent.start(cfg, System.err)) {
            Signals.onTerminate(agent::stop);
            Signal.handle(new Signal("USR1"), s -> agent.reopenOutputs());
            Signal.handle(new Signal("HUP"), s -> agent.reloadRules("SIGHUP"));
            System.err.printf("vigil: running: %d rules, %d event types, startup %d ms%s%n",
                    agent.rules().enabledRules().size(), agent.selectedTypes().size(), agent.startupNanos() / 1_000_000,
                    agent.webPort() > 0 ? ", web on " + cfg.string("webserver.listen_address") + ":" + agent.webPort() : "");
            agent.awaitStopped();
            if (agent.readerFailure() != null) {
                throw new IllegalStateException("the reader failed: " + agent.readerFailure());
            }
        }
        return 0;
    }
}
