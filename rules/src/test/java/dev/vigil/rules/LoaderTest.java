package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.rules.engine.RuleSet;
import org.junit.jupiter.api.Test;

/** YAML items: exceptions, overrides, legacy append, enabled-only items, priorities, sources. */
class LoaderTest {
    static final String BASE = """
            - list: shells
              items: [bash, sh]
            - macro: spawned
              condition: evt.type in (execve, execveat)
            - rule: Shell
              desc: a shell ran
              condition: spawned and proc.name in (shells)
              output: shell %proc.name by %user.name
              priority: warning
              tags: [shell, process]
            """;

    static Event exec(String name, String user, String pname) {
        dev.vigil.events.Process parent = dev.vigil.events.Process.builder().pid(1).name(pname).build();
        return ev(EventType.EXECVE, dev.vigil.events.Process.builder().pid(2).name(name).userName(user).parent(parent)
                .argv(name, "-c", "x")).build();
    }

    @Test
    void priorityIsCaseInsensitive() {
        assertThat(load(BASE).rule("Shell").priority()).isEqualTo(Priority.WARNING);
        assertThat(load(BASE.replace("warning", "Info")).rule("Shell").priority()).isEqualTo(Priority.INFORMATIONAL);
    }

    @Test
    void exceptionsSingleFieldDefaultsToIn() {
        RuleSet rs = load(BASE + """
                  exceptions:
                    - name: trusted_users
                      fields: user.name
                      values: [root, admin]
                """);
        assertThat(rs.rule("Shell").matches(exec("bash", "root", "x"))).isFalse();
        assertThat(rs.rule("Shell").matches(exec("bash", "admin", "x"))).isFalse();
        assertThat(rs.rule("Shell").matches(exec("bash", "alice", "x"))).isTrue();
    }

    @Test
    void exceptionsTuplesDefaultToEquals() {
        RuleSet rs = load(BASE + """
                  exceptions:
                    - name: user_parent
                      fields: [user.name, proc.pname]
                      values:
                        - [root, cron]
                        - [alice, sshd]
                    - name: parents_prefix
                      fields: [proc.pname]
                      comps: [startswith]
                      values: [[systemd]]
                    - name: list_values
                      fields: [proc.pname, user.name]
                      comps: [in, =]
                      values:
                        - [[tmux, screen], bob]
                        - [shells, carol]
                """);
        var r = rs.rule("Shell");
        assertThat(r.matches(exec("bash", "root", "cron"))).isFalse();
        assertThat(r.matches(exec("bash", "root", "sshd"))).isTrue();
        assertThat(r.matches(exec("bash", "alice", "sshd"))).isFalse();
        assertThat(r.matches(exec("bash", "x", "systemd-logind"))).isFalse();
        assertThat(r.matches(exec("bash", "bob", "screen"))).isFalse();
        assertThat(r.matches(exec("bash", "bob", "tmux2"))).isTrue();
        assertThat(r.matches(exec("bash", "carol", "sh"))).isFalse(); // list name expanded in an 'in' exception value
    }

    @Test
    void exceptionValuesAppendedByOverrideAndLegacyAppend() {
        String withExc = BASE + """
                  exceptions:
                    - name: users
                      fields: user.name
                      values: [root]
                """;
        RuleSet rs = load(withExc + """
                - rule: Shell
                  exceptions:
                    - name: users
                      values: [alice]
                  override:
                    exceptions: append
                """);
        assertThat(rs.rule("Shell").matches(exec("bash", "alice", "x"))).isFalse();
        assertThat(rs.rule("Shell").matches(exec("bash", "root", "x"))).isFalse();
        assertThat(rs.rule("Shell").matches(exec("bash", "bob", "x"))).isTrue();
        RuleSet legacy = load(withExc + """
                - rule: Shell
                  append: true
                  exceptions:
                    - name: users
                      values: [bob]
                """);
        assertThat(legacy.rule("Shell").matches(exec("bash", "bob", "x"))).isFalse();
    }

    @Test
    void overrideAppendAndReplace() {
        RuleSet rs = load(BASE + """
                - rule: Shell
                  condition: and not user.name=root
                  output: (appended)
                  tags: [extra]
                  override:
                    condition: append
                    output: append
                    tags: append
                - list: shells
                  items: [zsh]
                  override:
                    items: append
                - macro: spawned
                  condition: and proc.pname != init
                  override:
                    condition: append
                """);
        var r = rs.rule("Shell");
        assertThat(r.matches(exec("zsh", "alice", "x"))).isTrue();
        assertThat(r.matches(exec("bash", "root", "x"))).isFalse();
        assertThat(r.matches(exec("bash", "alice", "init"))).isFalse();
        assertThat(r.tags()).containsExactly("shell", "process", "extra");
        assertThat(r.formatOutput(exec("bash", "alice", "x"))).isEqualTo("shell bash by alice (appended)");

        RuleSet rep = load(BASE + """
                - rule: Shell
                  condition: evt.type = execve and proc.name = fish
                  priority: CRITICAL
                  enabled: false
                  override:
                    condition: replace
                    priority: replace
                    enabled: replace
                - list: shells
                  items: [fish]
                  override:
                    items: replace
                """);
        assertThat(rep.rule("Shell").matches(exec("bash", "alice", "x"))).isFalse();
        assertThat(rep.rule("Shell").matches(exec("fish", "alice", "x"))).isTrue();
        assertThat(rep.rule("Shell").priority()).isEqualTo(Priority.CRITICAL);
        assertThat(rep.isEnabled("Shell")).isFalse();
    }

    @Test
    void legacyAppendForRulesMacrosAndLists() {
        RuleSet rs = load(BASE + """
                - list: shells
                  append: true
                  items: [zsh]
                - macro: spawned
                  append: true
                  condition: and user.name != nobody
                - rule: Shell
                  append: true
                  condition: and proc.pname != cron
                """);
        var r = rs.rule("Shell");
        assertThat(r.matches(exec("zsh", "alice", "x"))).isTrue();
        assertThat(r.matches(exec("zsh", "nobody", "x"))).isFalse();
        assertThat(r.matches(exec("zsh", "alice", "cron"))).isFalse();
    }

    @Test
    void appendsCanSpanFilesAndKeepPositions() {
        var diags = diags(BASE, """
                - rule: Shell
                  append: true
                  condition: and proc.nope = 1
                """);
        assertThat(diags).containsExactly("f2.yaml:3:18: unknown field 'proc.nope'");
    }

    @Test
    void enabledOnlyItemSwitchesExistingRule() {
        RuleSet rs = load(BASE, "- rule: Shell\n  enabled: false\n");
        assertThat(rs.isEnabled("Shell")).isFalse();
        assertThat(rs.rules()).hasSize(1);
        assertThat(diags("- rule: Nope\n  enabled: false\n")).containsExactly(
                "f1.yaml:1:9: rule 'Nope' is not defined; an item with only 'enabled' changes an existing rule");
    }

    @Test
    void redefinitionReplacesInPlace() {
        RuleSet rs = load(BASE + rule("Other", "evt.type=open") + BASE.substring(BASE.indexOf("- rule:")).replace("warning", "debug"));
        assertThat(rs.rules()).extracting(r -> r.name()).containsExactly("Shell", "Other");
        assertThat(rs.rule("Shell").priority()).isEqualTo(Priority.DEBUG);
    }

    @Test
    void otherSourcesAreSkippedWithAWarning() {
        var res = loadResult(BASE + """
                - rule: Audit
                  desc: d
                  condition: ka.verb=create
                  output: x
                  priority: INFO
                  source: k8s_audit
                """);
        assertThat(res.ok()).isTrue();
        assertThat(res.ruleSet().rules()).extracting(r -> r.name()).containsExactly("Shell");
        assertThat(res.diagnostics()).anyMatch(d -> !d.isError() && d.message().contains("k8s_audit"));
    }

    @Test
    void skipIfUnknownFilter() {
        var res = loadResult(BASE + """
                - rule: Future
                  desc: d
                  condition: evt.type=open and proc.future_field=1
                  output: x
                  priority: INFO
                  skip-if-unknown-filter: true
                """);
        assertThat(res.ok()).isTrue();
        assertThat(res.ruleSet().rule("Future")).isNull();
    }

    @Test
    void warnEvttypes() {
        var res = loadResult("- rule: Any\n  desc: d\n  condition: proc.name=x\n  output: o\n  priority: INFO\n");
        assertThat(res.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.isError()).isFalse();
            assertThat(d.toString()).startsWith("f1.yaml:1:9: warning: rule 'Any' does not restrict evt.type");
        });
        assertThat(loadResult(rule("Any", "proc.name=x")).diagnostics()).isEmpty();
    }

    @Test
    void falco044CaptureKeysAndTheirOverride() {
        String base = "- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n"
                + "  capture: true\n  capture_duration: 2000\n";
        assertThat(diags(base)).isEmpty();
        assertThat(diags(base + "- rule: R\n  capture: false\n  capture_duration: 10\n"
                + "  override:\n    capture: replace\n    capture_duration: replace\n")).isEmpty();
        assertThat(diags(base + "- rule: R\n  capture: false\n  override:\n    capture: append\n")).singleElement().asString()
                .contains("capture");
        assertThat(diags("- rule: R\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n"
                + "  capture_duration: soon\n")).singleElement().asString()
                .contains("capture_duration must be a number of milliseconds, not 'soon'");
    }

    @Test
    void requiredEngineAndPluginVersions() {
        assertThat(diags("- required_engine_version: 0.57.0\n- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n")).isEmpty();
        assertThat(diags("- required_engine_version: 0.62.0\n")).isEmpty(); // Falco 0.44's
        assertThat(diags("- required_engine_version: 0.63.0\n")).singleElement().asString()
                .startsWith("f1.yaml:1:28: rules require engine version 0.63.0, but Vigil implements the Falco engine version 0.62.0");
        assertThat(diags("- required_engine_version: 99.0.0\n")).singleElement().asString()
                .startsWith("f1.yaml:1:28: rules require engine version 99.0.0");
        assertThat(diags("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.1.0\n")).singleElement().asString()
                .startsWith("f1.yaml:2:11: warning: plugin 'k8saudit' is not available");
    }

    @Test
    void outputsAndJsonAlert() {
        RuleSet rs = load(BASE.replace("shell %proc.name by %user.name",
                "\"shell %proc.name by %user.name parent=%proc.pname gp=%proc.aname[2] file=%fd.name low=%tolower(proc.name) 100%\""));
        Event e = exec("bash", "alice", "sshd");
        var r = rs.rule("Shell");
        assertThat(r.formatOutput(e)).isEqualTo("shell bash by alice parent=sshd gp=<NA> file=<NA> low=bash 100%");
        String json = r.alert(e, "host1").toJson();
        assertThat(json).startsWith("{\"hostname\":\"host1\",\"output\":\"22:13:20.000000000: Warning shell bash by alice");
        assertThat(json).contains("\"output_fields\":{\"evt.time\":1700000000000000000,\"proc.name\":\"bash\",\"user.name\":\"alice\","
                + "\"proc.pname\":\"sshd\",\"proc.aname[2]\":null,\"fd.name\":null,\"tolower(proc.name)\":\"bash\"}");
        assertThat(json).endsWith("\"priority\":\"Warning\",\"rule\":\"Shell\",\"source\":\"syscall\",\"tags\":[\"shell\",\"process\"],"
                + "\"time\":\"2023-11-14T22:13:20.000000000Z\"}");
        Event quote = exec("b\"a\\sh", "alice", "x");
        assertThat(rs.rule("Shell").alert(quote, "h").toJson()).contains("\"proc.name\":\"b\\\"a\\\\sh\"");
        assertThat(ev(EventType.OPENAT, proc("cat")).fd(Fd.file(3, "/x")).build()).isNotNull();
    }
}
