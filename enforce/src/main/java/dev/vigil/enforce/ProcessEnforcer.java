package dev.vigil.enforce;

import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.EnforcerContext;
import dev.vigil.policy.PolicyEvent;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Process;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy mechanism's enforcer for EnforcementPolicy: the kernel {@link Enforcer} with its links pinned in the
 * kind's pin folder (a restarted agent swaps its programs into the pinned links, after writing its tables, so there
 * is no moment unprotected), and every decision handed to the agent as a {@link PolicyEvent} (Tetragon's names:
 * process, policy_name, action).
 */
final class ProcessEnforcer implements dev.vigil.policy.Enforcer<EnforcementPolicy> {
    /** The settings key for enforcement.mode (monitor: every policy audits). */
    static final String MODE_SETTING = "enforcement.mode";

    /** The settings key for enforcement.self_protection (false: the agent can be killed, its pins removed, by root). */
    static final String SELF_PROTECTION_SETTING = "enforcement.self_protection";

    static boolean selfProtection(String v) {
        return !"false".equalsIgnoreCase(v.strip());
    }

    private final Enforcer kernel;
    private final ContainerScopes containers;

    private ProcessEnforcer(Enforcer kernel, ContainerScopes containers) {
        this.kernel = kernel;
        this.containers = containers;
    }

    static ProcessEnforcer start(EnforcerContext ctx) {
        boolean monitorAll = ctx.options().audit() || ctx.options().enforcement() == dev.vigil.policy.PolicyOptions.Enforcement.NEVER
                || "monitor".equals(ctx.options().setting(MODE_SETTING, "enforce"));
        Enforcer.Options o = Enforcer.Options.defaults().withMonitorAll(monitorAll).withPins(ctx.pins())
                .withProtect(selfProtection(ctx.options().setting(SELF_PROTECTION_SETTING, "true")));
        String cg = ctx.options().setting("enforcement.cgroup", "");
        if (!cg.isBlank()) o = o.withCgroupDir(java.nio.file.Path.of(cg));
        ContainerScopes[] scopes = new ContainerScopes[1]; // decisions can come before the scopes exist: host until then
        Enforcer kernel = Enforcer.start(o, d -> ctx.events().accept(event(d, scopes[0] == null ? null : scopes[0].containerOf(d.mntns()))));
        String socket = ctx.options().setting("docker.socket", "");
        java.nio.file.Path docker = socket.isBlank() ? null : java.nio.file.Path.of(socket);
        dev.vigil.containers.ContainerResolver.Options ro = dev.vigil.containers.ContainerResolver.Options.defaults()
                .withDockerSocket(docker).withWatchEvents(docker != null);
        String cri = ctx.options().setting("cri.sockets", null); // unset (no agent config): the runtimes' default sockets
        if (cri != null) ro = ro.withCriSockets(java.util.Arrays.stream(cri.split(",")).filter(x -> !x.isBlank()).map(java.nio.file.Path::of).toList());
        scopes[0] = new ContainerScopes(kernel, ro, kernel.hostMntns());
        return new ProcessEnforcer(kernel, scopes[0]);
    }

    @Override
    public void apply(List<EnforcementPolicy> policies) {
        kernel.apply(policies);
        containers.policies(policies);
    }

    @Override
    public List<Map<String, Object>> show() {
        List<Map<String, Object>> out = new ArrayList<>();
        CompiledPolicies c = kernel.current();
        for (CompiledPolicies.RulePlan p : c.plans()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("policy", p.policy());
            m.put("rule", p.rule());
            m.put("hook", p.hook().label);
            m.put("enforcement", p.enforcement());
            if (!p.when().isEmpty()) m.put("when", p.when());
            m.put("position", p.pos());
            out.add(m);
        }
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("decisions", kernel.decisionsReported(), "decisions_lost", kernel.decisionsLost());
    }

    @Override
    public void close() {
        containers.close();
        kernel.close();
    }

    /** A decision as a Tetragon-shaped JSON event; {@code container} null for the host (or not known yet). */
    static PolicyEvent event(Decision d, dev.vigil.events.ContainerView container) {
        Instant now = Instant.now();
        long ns = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("type", d.outcome() == Decision.Outcome.TAMPER ? "tamper" : "process_enforcement");
        f.put("time", now.toString());
        f.put("outcome", d.outcome().label);
        if (d.outcome() != Decision.Outcome.TAMPER) {
            f.put("hook", d.hook().label);
            f.put("policy_name", d.policy());
            f.put("rule", d.rule());
            f.put("action", d.action());
            f.put("enforced_by", d.enforcedBy());
        } else {
            String kind = d.tamperKind();
            f.put("tamper", kind);
            switch (kind) {
                case "signal" -> {
                    f.put("signal", d.signal());
                    f.put("target_pid", d.target());
                }
                case "ptrace" -> f.put("target_pid", d.target());
                case "pin_remove" -> { }
                default -> f.put("object_id", d.target());
            }
            f.put("refused", d.refused());
        }
        Map<String, Object> proc = new LinkedHashMap<>();
        proc.put("pid", d.tgid());
        proc.put("tid", d.pid());
        proc.put("ppid", d.ppid());
        proc.put("uid", d.uid());
        proc.put("comm", d.comm());
        proc.put("mnt_ns", d.mntns());
        proc.put("cgroup_id", d.cgroupId());
        f.put("process", proc);
        if (container != null && container.id() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", String.valueOf(container.id()));
            if (container.name() != null) c.put("name", String.valueOf(container.name()));
            if (container.image() != null) c.put("image", String.valueOf(container.image()));
            f.put("container", c);
        }
        if (d.outcome() != Decision.Outcome.TAMPER) {
            switch (d.hook()) {
                case PTRACE -> f.put("target_pid", d.target());
                case SETUID -> f.put("new_uid", d.target());
                case BPF -> f.put("bpf_cmd", d.target());
                default -> { }
            }
        }
        if (d.address() != null) {
            f.put("address", d.address());
            f.put("port", d.port());
        } else if (!d.path().isEmpty()) {
            f.put("path", d.path());
        }
        f.put("message", d.describe());
        String type = (String) f.get("type");
        return new PolicyEvent() {
            @Override public String type() { return type; }
            @Override public long timeNanos() { return ns; }
            @Override public Map<String, Object> fields() { return f; }
            @Override public EventView ruleEvent() { return toRuleEvent(d, container, ns); }
        };
    }

    /** A decision as the rules engine's {@code enforcement} event (EventType.ENFORCEMENT). */
    static EventView toRuleEvent(Decision d, dev.vigil.events.ContainerView container, long timeNanos) {
        boolean tamper = d.outcome() == Decision.Outcome.TAMPER;
        Event.Builder b = Event.builder(EventType.ENFORCEMENT).timestamp(timeNanos)
                .arg("outcome", d.outcome().label)
                .arg("hook", tamper ? d.tamperKind() : d.hook().label)
                .arg("policy", d.policy()).arg("rule", d.rule())
                .arg("action", tamper ? ("signal".equals(d.tamperKind()) ? Integer.toString(d.signal()) : d.action()) : d.action())
                .arg("enforced_by", d.enforcedBy()).arg("path", d.path())
                .arg("target", tamper || d.hook() == Hook.PTRACE || d.hook() == Hook.SETUID || d.hook() == Hook.BPF ? d.target() : 0);
        if (d.address() != null) b.arg("addr", d.address()).arg("port", d.port());
        b.process(Process.builder().pid(d.tgid()).tid(d.pid()).ppid(d.ppid()).uid(d.uid()).name(d.comm()).build());
        if (container != null) b.container(container);
        return b.build();
    }
}
