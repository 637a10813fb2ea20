package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.events.EventView;
import dev.vigil.policy.PinStore;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.PolicyLoader;
import dev.vigil.policy.PolicyOptions;
import dev.vigil.policy.PolicySet;
import dev.vigil.rules.Priority;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The agent's policies: the files of {@code policy_files} (and {@code --policy}) loaded and checked before any BPF
 * load, applied through one {@link PolicyEngine}, reloaded like rules (SIGHUP, file watch); a broken file keeps the
 * running policies and is reported with its position. Exit leaves the enforcement pinned (so a crash or a restart
 * leaves containers protected) unless {@code policy_unload_on_exit}.
 */
final class AgentPolicies implements AutoCloseable {
    private final AgentConfig config;
    private final List<Path> files;
    private final PolicyLoader loader;
    private final PolicyEngine engine;
    private final PolicyEvents events;
    private final PrintStream log;
    private final Agent agent;
    private volatile FileWatch watcher;
    private long reloads, reloadFailures;

    private AgentPolicies(Agent agent, AgentConfig config, PrintStream log, Consumer<String> outputs, Consumer<EventView> rules) {
        this.agent = agent;
        this.config = config;
        this.log = log;
        this.files = config.list("policy_files").stream().map(Path::of).toList();
        this.loader = PolicyLoader.installed();
        this.events = new PolicyEvents(PolicyEvents.DEFAULT_CAPACITY, outputs, rules);
        this.engine = new PolicyEngine(loader.kinds(), PinStore.resolve(config.string("policy.pin_root")), options(config), events, log);
    }

    static PolicyOptions options(AgentConfig config) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cgroup_root", config.string("policy.cgroup_root"));
        settings.put("enforcement.mode", config.string("enforcement.mode"));
        settings.put("enforcement.self_protection", Boolean.toString(config.bool("enforcement.self_protection")));
        if (config.bool("container_engines.docker.enabled")) {
            settings.put("docker.socket", config.string("container_engines.docker.socket"));
        }
        // the CRI sockets the enforcer's container selection asks (pods, namespaces): "" when the CRI is off
        settings.put("cri.sockets", !config.bool("container_engines.cri.enabled") ? ""
                : String.join(",", config.list("container_engines.cri.sockets").stream().filter(x -> !x.isBlank()).toList()));
        return new PolicyOptions(PolicyOptions.Enforcement.parse(config.string("policy_enforcement"), config.value("policy_enforcement").origin()),
                config.bool("policy_audit_mode"), settings);
    }

    /** Loads the files (problems throw, positioned, before anything touches the kernel); rule events go to {@code rules}. */
    static AgentPolicies load(Agent agent, AgentConfig config, PrintStream log, Consumer<String> outputs, Consumer<EventView> rules) {
        AgentPolicies p = new AgentPolicies(agent, config, log, outputs, rules);
        p.pending = p.files.isEmpty() ? null : p.loader.load(p.files);
        return p;
    }

    private PolicySet pending;

    /** Puts the loaded policies into the kernel; with no policy files, pins of an earlier run are left as they are. */
    void start() {
        if (pending != null) {
            engine.apply(pending);
            pending = null;
            log.println("vigil: policy: " + engine.current().size() + " policies enforced from " + files);
        } else if (!engine.store().pinned().isEmpty()) {
            log.println("vigil: policy: no policy files; the pinned policy state under " + engine.store().root()
                    + " stays in force (vigil policy remove clears it)");
        }
        if (config.bool("watch_config_files") && !files.isEmpty()) {
            watcher = FileWatch.start("vigil-policy-watch", () -> files, () -> reload("policy file changed"));
        }
    }

    boolean active() {
        return !files.isEmpty();
    }

    /** Reloads the policy files; false (and the running policies stay) when one is broken. */
    synchronized boolean reload(String trigger) {
        if (files.isEmpty()) return true;
        PolicySet next;
        try {
            next = loader.load(files);
            engine.apply(next);
        } catch (IllegalArgumentException e) {
            reloadFailures++;
            log.println("vigil: policy reload (" + trigger + ") failed; the running policies stay: " + e.getMessage());
            agent.internal(Priority.ERROR, "policy reload failed; the running policies stay",
                    new LinkedHashMap<>(Map.of("trigger", trigger, "error", String.valueOf(e.getMessage()))));
            return false;
        }
        reloads++;
        log.println("vigil: policy reloaded (" + trigger + "): " + next.size() + " policies");
        return true;
    }

    PolicyEngine engine() {
        return engine;
    }

    PolicyEvents events() {
        return events;
    }

    synchronized long[] reloadCounts() {
        return new long[] {reloads, reloadFailures};
    }

    @Override
    public void close() {
        if (watcher != null) watcher.close();
        engine.close(config.bool("policy_unload_on_exit"));
    }
}
