package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.MatchMode;
import dev.vigil.rules.engine.RuleSelector;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.fields.FieldRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;

/** Selection by name/tag, match modes, required event types, allocation-free evaluation, field table. */
class EngineTest {
    static final String RULES = """
            - rule: Write below etc
              desc: d
              condition: evt.type in (open, openat) and fd.name startswith /etc
              output: o
              priority: ERROR
              tags: [filesystem, mitre_persistence]
            - rule: Write below root
              desc: d
              condition: evt.type in (open, openat) and fd.name startswith /
              output: o
              priority: ERROR
              tags: [filesystem]
            - rule: Outbound
              desc: d
              condition: evt.type = connect
              output: o
              priority: NOTICE
              tags: [network]
              enabled: false
            """;

    static final Event OPEN_ETC = ev(EventType.OPENAT, proc("vi")).arg("name", "/etc/x").flags("flags", "O_WRONLY").fd(Fd.file(3, "/etc/x")).build();

    @Test
    void enableAndDisableByNameAndTagWithWildcards() {
        RuleSet rs = load(RULES);
        assertThat(rs.enabledRules()).extracting(CompiledRule::name).containsExactly("Write below etc", "Write below root");
        assertThat(rs.requiredEventTypes()).containsExactlyInAnyOrder(EventType.OPEN, EventType.OPENAT);
        assertThat(rs.disable("Write below*").enabledRules()).isEmpty();
        assertThat(rs.disable("Write below*").requiredEventTypes()).isEmpty();
        assertThat(rs.enableTag("network").requiredEventTypes()).containsExactlyInAnyOrder(EventType.OPEN, EventType.OPENAT, EventType.CONNECT);
        assertThat(rs.select(List.of(RuleSelector.disableRule("*"), RuleSelector.enableTag("mitre_*"))).enabledRules())
                .extracting(CompiledRule::name).containsExactly("Write below etc");
        assertThat(rs.disableTag("file*").enable("Write below ro?t").enabledRules()).extracting(CompiledRule::name)
                .containsExactly("Write below root");
        assertThat(rs.disable("*").resetSelection().enabledRules()).hasSize(2);
    }

    @Test
    void matchModes() {
        RuleSet rs = load(RULES);
        assertThat(fire(rs, OPEN_ETC)).containsExactly("Write below etc", "Write below root");
        assertThat(fire(rs.withMatchMode(MatchMode.FIRST), OPEN_ETC)).containsExactly("Write below etc");
    }

    @Test
    void engineSelectorsApplyToLoadsAndAtomically() throws Exception {
        RulesEngine engine = new RulesEngine(OPTS.withSelectors(List.of(RuleSelector.enableRule("Outbound"))));
        engine.loadSources(List.of(new dev.vigil.rules.load.RuleLoader.Source("r.yaml", RULES)));
        assertThat(engine.current().isEnabled("Outbound")).isTrue();
        assertThat(engine.requiredEventTypes()).contains(EventType.CONNECT);
        engine.setSelectors(List.of(RuleSelector.disableTag("filesystem")));
        assertThat(engine.current().enabledRules()).isEmpty();
        int[] n = new int[1];
        assertThat(engine.evaluate(OPEN_ETC, (r, e) -> n[0]++)).isZero();
    }

    static final class CountingSink implements AlertSink {
        long n;

        @Override public void onMatch(CompiledRule rule, EventView event) { n++; }
    }

    @Test
    void evaluationDoesNotAllocate() throws Exception {
        RuleSet rs = Rules.load(List.of(TestFiles.stable(), TestFiles.incubating(), TestFiles.sandbox()), OPTS);
        Event[] events = {
            ev(EventType.EXECVE, proc("bash", "bash", "-c", "ls")).build(),
            ev(EventType.OPENAT, proc("cat")).arg("name", "/etc/passwd").flags("flags", "O_RDONLY").fd(Fd.file(3, "/etc/passwd")).build(),
            ev(EventType.OPENAT, proc("vi")).arg("name", "/etc/hosts").flags("flags", "O_WRONLY", "O_TRUNC").fd(Fd.file(3, "/etc/hosts")).build(),
            ev(EventType.CONNECT, proc("curl")).fd(Fd.tcp4(3, "192.168.1.2", 40000, "8.8.8.8", 443)).build(),
            ev(EventType.CLOSE, proc("cat")).arg("fd", 3).build(),
        };
        CountingSink sink = new CountingSink();
        for (int i = 0; i < 200_000; i++) rs.evaluate(events[i % events.length], sink);
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 500_000; i++) rs.evaluate(events[i % events.length], sink);
        long after = mx.getThreadAllocatedBytes(tid);
        // a few hundred bytes of noise at most (the MXBean call itself); nothing per event
        assertThat(after - before).as("bytes allocated for 500k evaluations").isLessThan(64 * 1024);
    }

    @Test
    void fieldTableListsEveryFieldTheUpstreamFilesUse() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Rules.printFields(new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        String table = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(table).contains("Field Class: proc", "proc.aname[...]", "CHARBUF", "fd.sport", "PORT", "fd.net", "IPNET",
                "evt.arg.NAME", "thread.cap_permitted", "container.mount.dest[...]", "k8s.ns.name");
        String all = java.nio.file.Files.readString(TestFiles.stable()) + java.nio.file.Files.readString(TestFiles.incubating())
                + java.nio.file.Files.readString(TestFiles.sandbox());
        var m = java.util.regex.Pattern.compile("%?\\b((?:evt|proc|thread|user|group|fd|container|k8s)\\.[a-z_.]+[a-z_])").matcher(all);
        java.util.Set<String> missing = new java.util.TreeSet<>();
        int distinct = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (m.find()) {
            String f = m.group(1);
            // not fields: "registry.k8s.io/..." images, the log file name "user.log" in a list, "fd.types" in a comment
            if (f.startsWith("k8s.io") || f.equals("user.log") || f.equals("fd.types") || !seen.add(f)) continue;
            distinct++;
            if (FieldRegistry.lookup(f) == null) missing.add(f);
        }
        assertThat(distinct).isGreaterThan(85);
        assertThat(missing).isEmpty();
    }
}
