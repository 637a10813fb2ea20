package dev.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Process;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.load.RuleLoader;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Builders and helpers shared by the rules tests. */
public final class Fixtures {
    private Fixtures() {}

    public static final long NOW = 1_700_000_000_000_000_000L;
    public static final EngineOptions OPTS = EngineOptions.defaults().withHostname("testhost");

    public static RuleLoader.Result loadResult(String... yamls) {
        List<RuleLoader.Source> s = new ArrayList<>();
        for (int i = 0; i < yamls.length; i++) s.add(new RuleLoader.Source("f" + (i + 1) + ".yaml", yamls[i]));
        return RuleLoader.load(s, OPTS);
    }

    public static RuleSet load(String... yamls) {
        RuleLoader.Result r = loadResult(yamls);
        assertThat(r.diagnostics()).filteredOn(Diagnostic::isError).as("load errors").isEmpty();
        return r.ruleSet();
    }

    /** Diagnostics as strings "f1.yaml:L:C: message". */
    public static List<String> diags(String... yamls) {
        return loadResult(yamls).diagnostics().stream().map(Diagnostic::toString).toList();
    }

    public static String rule(String name, String condition) {
        return "- rule: " + name + "\n  desc: test\n  condition: |-\n    " + condition + "\n  output: \"%proc.name\"\n"
                + "  priority: WARNING\n  warn_evttypes: false\n";
    }

    /** Whether {@code condition} (with optional macro/list definitions before it) matches the event. */
    public static boolean cond(String condition, EventView e, String... defs) {
        RuleSet rs = load(String.join("\n", defs) + "\n" + rule("T", condition));
        return rs.rule("T").matches(e);
    }

    public static Set<String> fire(RuleSet rs, EventView e) {
        Set<String> out = new LinkedHashSet<>();
        rs.evaluate(e, (r, ev) -> out.add(r.name()));
        return out;
    }

    // ---- a small process tree: systemd -> sshd -> bash -> (the process) ----

    public static Process systemd() {
        return Process.builder().pid(1).name("systemd").exePath("/usr/lib/systemd/systemd").argv("/sbin/init")
                .user(0, "root").startTs(NOW - 3_600_000_000_000L).build();
    }

    public static Process sshd() {
        return Process.builder().pid(800).name("sshd").exePath("/usr/sbin/sshd").argv("sshd", "-D").user(0, "root")
                .parent(systemd()).startTs(NOW - 3_000_000_000_000L).build();
    }

    public static Process bash() {
        return Process.builder().pid(1000).name("bash").exePath("/usr/bin/bash").argv("-bash").user(1000, "alice")
                .loginUid(1000).tty(34816).parent(sshd()).startTs(NOW - 600_000_000_000L).build();
    }

    /** A process run by alice from bash, started 10 s before NOW. */
    public static Process.Builder proc(String name, String... argv) {
        return Process.builder().pid(2000).ppid(1000).name(name).exePath("/usr/bin/" + name)
                .argv(argv.length == 0 ? new String[] {name} : argv).user(1000, "alice").group(1000, "alice")
                .loginUid(1000).cwd("/home/alice").parent(bash()).startTs(NOW - 10_000_000_000L);
    }

    public static Container container() {
        return Container.builder().id("0123456789ab").name("web").image("docker.io/library/alpine:3.20").build();
    }

    public static Event.Builder ev(EventType t, Process.Builder p) { return ev(t, p.build()); }

    public static Event.Builder ev(EventType t, Process p) {
        return Event.builder(t).timestamp(NOW).res(0).process(p).container(Container.HOST);
    }
}
