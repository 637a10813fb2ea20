package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.ConfigException;
import dev.vigil.rules.Priority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path dir;

    Path file(String text) throws Exception {
        Path p = dir.resolve("vigil.yaml");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void defaultsAreFalcosWhereTheConceptIsTheSame() {
        AgentConfig c = AgentConfig.defaults();
        assertThat(c.list("rules_files")).isEmpty();
        assertThat(c.bool("json_output")).isFalse();
        assertThat(c.priority()).isEqualTo(Priority.DEBUG);
        assertThat(c.string("rule_matching")).isEqualTo("first");
        assertThat(c.bool("stdout_output.enabled")).isTrue();
        assertThat(c.string("webserver.listen_address")).isEqualTo("127.0.0.1");
        assertThat(c.integer("webserver.listen_port")).isEqualTo(8765);
        assertThat(c.string("sensor.syscall_hook")).isEqualTo("auto");
    }

    @Test
    void theSyscallHookIsTracepointsOrRaw() throws Exception {
        assertThat(AgentConfig.builder().override("sensor.syscall_hook=RAW").build().string("sensor.syscall_hook")).isEqualTo("raw");
        Path f = file("sensor:\n  syscall_hook: kprobes\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(f, true).build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(f + ":2:17").hasMessageContaining("must be tracepoints, raw or auto, not 'kprobes'");
    }

    @Test
    void enforcementSelfProtectionIsOnByDefaultAndReachesTheEnforcer() throws Exception {
        assertThat(AgentConfig.defaults().bool("enforcement.self_protection")).isTrue();
        assertThat(AgentPolicies.options(AgentConfig.defaults()).setting("enforcement.self_protection", "")).isEqualTo("true");
        Path f = file("enforcement:\n  self_protection: false\n");
        AgentConfig off = AgentConfig.builder().file(f, true).build();
        assertThat(AgentPolicies.options(off).setting("enforcement.self_protection", "")).isEqualTo("false");
        Path bad = file("enforcement:\n  self_protection: maybe\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(bad, true).build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad + ":2:");
    }

    @Test
    void fileThenOverridesWithOrigins() throws Exception {
        Path f = file("rules_file:\n  - /a.yaml\n  - /b.yaml\npriority: warning\nwebserver:\n  listen_port: 9000\n"
                + "plugins: []\nload_plugins: []\n");
        AgentConfig c = AgentConfig.builder().file(f, true).override("priority=error")
                .override("rules_files=[/c.yaml, /d.yaml]").override("file_output.filename=/tmp/x y.txt").build();
        assertThat(c.list("rules_files")).containsExactly("/c.yaml", "/d.yaml");
        assertThat(c.priority()).isEqualTo(Priority.ERROR);
        assertThat(c.value("priority").origin()).isEqualTo("-o priority=error");
        assertThat(c.integer("webserver.listen_port")).isEqualTo(9000);
        assertThat(c.value("webserver.listen_port").origin()).isEqualTo(f + ":6:16");
        assertThat(c.string("file_output.filename")).isEqualTo("/tmp/x y.txt");
        assertThat(c.ignoredKeys()).containsExactly("plugins", "load_plugins");
        assertThat(AgentConfig.builder().override("rules_files=/one.yaml").build().list("rules_files")).isEqualTo(List.of("/one.yaml"));
    }

    @Test
    void rulesAreEnabledAndDisabledByNameOrTagInOrderAsInFalcoYaml() throws Exception {
        Path f = file("rules:\n  - disable:\n      rule: \"*\"\n  - enable:\n      tag: filesystem\n"
                + "  - disable:\n      rule: Read sensitive file untrusted\n");
        AgentConfig c = AgentConfig.builder().file(f, true)
                .addRuleSelection(true, false, "Read sensitive file*", "--enable-rule").build();
        assertThat(c.ruleSelectors()).containsExactly(
                dev.vigil.rules.engine.RuleSelector.disableRule("*"),
                dev.vigil.rules.engine.RuleSelector.enableTag("filesystem"),
                dev.vigil.rules.engine.RuleSelector.disableRule("Read sensitive file untrusted"),
                dev.vigil.rules.engine.RuleSelector.enableRule("Read sensitive file*"));
        assertThat(c.toYaml()).contains("- disable: {rule: \"*\"}").contains("- enable: {tag: \"filesystem\"}");
        // applied to the real stable rules, in order
        Path stable = Path.of(System.getenv().getOrDefault("VIGIL_PROJECT_ROOT", ".."))
                .resolve("agent/src/main/resources/rules/falco_rules.yaml");
        var engine = new dev.vigil.rules.engine.RulesEngine(
                dev.vigil.rules.engine.EngineOptions.defaults().withSelectors(c.ruleSelectors()));
        var set = engine.load(List.of(stable));
        var enabled = set.enabledRules().stream().map(r -> r.name()).toList();
        assertThat(enabled).contains("Read sensitive file untrusted", "Read sensitive file trusted after startup")
                .doesNotContain("Terminal shell in container", "Redirect STDOUT/STDIN to Network Connection in Container");
        assertThat(set.enabledRules()).allMatch(r -> r.tags().contains("filesystem") || r.name().startsWith("Read sensitive file"));
        assertThatThrownBy(() -> AgentConfig.builder().file(file("rules:\n  - disable:\n      name: x\n"), true).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining(":2:5: rules: disable takes rule: or tag:, not 'name'");
        assertThatThrownBy(() -> AgentConfig.builder().override("rules=[{drop: {rule: x}}]").build())
                .hasMessageContaining("'drop' is neither enable nor disable");
    }

    @Test
    void errorsNameFileLineAndColumn() throws Exception {
        Path f = file("json_output: true\nstdout_output:\n  enabld: true\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(f, true).build()).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":3:3: unknown key 'stdout_output.enabld' (see vigil config show)");
        Path g = file("priority: loud\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(g, true).build())
                .hasMessageStartingWith(g + ":1:11: priority must be one of emergency");
        Path h = file("a: [1, 2\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(h, true).build()).hasMessageStartingWith(h + ":2:1: invalid YAML");
        assertThatThrownBy(() -> AgentConfig.builder().override("webserver.listen_port=http").build())
                .hasMessage("-o webserver.listen_port=http: webserver.listen_port must be an integer, not 'http'");
        assertThatThrownBy(() -> AgentConfig.builder().override("nonsense").build()).hasMessage("-o nonsense: expected key=value");
    }

    @Test
    void aMissingDefaultFileIsFineANamedOneIsNot() {
        assertThat(AgentConfig.builder().file(dir.resolve("none.yaml"), false).build().file()).isNull();
        assertThatThrownBy(() -> AgentConfig.builder().file(dir.resolve("none.yaml"), true))
                .hasMessage(dir.resolve("none.yaml") + ": no such config file");
    }

    @Test
    void showPrintsEveryKeyAsYaml() throws Exception {
        String y = AgentConfig.builder().override("json_output=yes").build().toYaml();
        assertThat(y).contains("json_output: true  # -o json_output=yes").contains("webserver:\n  enabled: true  # default");
    }

    @Test
    void containerEnginesAsInFalcoYaml() throws Exception {
        AgentConfig d = AgentConfig.defaults();
        assertThat(d.bool("container_engines.docker.enabled")).isTrue();
        assertThat(d.string("container_engines.docker.socket")).isEqualTo("/var/run/docker.sock");
        assertThat(d.integer("container_engines.docker.metadata_wait_ms")).isEqualTo(1000);
        assertThat(d.appendOutput()).singleElement().matches(a -> a.suggested());
        assertThat(dev.vigil.agent.config.AppendOutput.SUGGESTED).contains("container_id=%container.id")
                .contains("k8s_pod_name=%k8s.pod.name");
        assertThat(d.bool("container_engines.cri.enabled")).isTrue();
        assertThat(d.list("container_engines.cri.sockets")).containsExactly("/run/containerd/containerd.sock",
                "/run/crio/crio.sock", "/run/k3s/containerd/containerd.sock");
        // falco.yaml's container_engines block: docker and cri read, what Vigil does not use listed as ignored
        Path f = file("container_engines:\n  docker:\n    enabled: false\n    socket: /run/other.sock\n"
                + "  cri:\n    enabled: true\n    sockets: [" + dir.resolve("absent.sock") + "]\n    disable_async: false\n"
                + "  podman:\n    enabled: false\n"
                + "append_output:\n  - suggested_output: true\n");
        AgentConfig c = AgentConfig.builder().file(f, true).build();
        assertThat(c.bool("container_engines.docker.enabled")).isFalse();
        assertThat(c.string("container_engines.docker.socket")).isEqualTo("/run/other.sock");
        assertThat(c.bool("container_engines.cri.enabled")).isTrue();
        assertThat(c.list("container_engines.cri.sockets")).containsExactly(dir.resolve("absent.sock").toString());
        assertThat(c.ignoredKeys()).contains("container_engines.cri.disable_async", "container_engines.podman");
        assertThat(c.appendOutput()).singleElement().matches(a -> a.suggested());
        String id = "a".repeat(64);
        try (var r = Agent.containerResolver(c)) {
            // docker off: a docker container is not asked about
            assertThat(r.resolve(0, "/docker/" + id).id().toString()).isEqualTo("a".repeat(12));
            assertThat(r.stats().fetches()).isZero();
            // cri on: a containerd container is asked of the configured socket (missing here: counted, ids only)
            assertThat(r.resolve(0, "/kubepods/besteffort/pod1/" + "b".repeat(64)).name()).isNull();
            long end = System.nanoTime() + 5_000_000_000L;
            while (r.stats().unavailable() == 0 && System.nanoTime() < end) Thread.sleep(10);
            assertThat(r.stats().fetches()).isEqualTo(1);
            assertThat(r.stats().unavailable()).isEqualTo(1);
        }
        // both off: ids from cgroups only
        AgentConfig off = AgentConfig.builder().file(f, true).override("container_engines.cri.enabled=false").build();
        try (var r = Agent.containerResolver(off)) {
            assertThat(r.resolve(0, "/kubepods/besteffort/pod1/" + "b".repeat(64)).id().toString()).isEqualTo("b".repeat(12));
            Thread.sleep(50);
            assertThat(r.stats().fetches()).isZero();
        }
        AgentConfig noSockets = AgentConfig.builder().file(f, true).override("container_engines.cri.sockets=[]").build();
        assertThat(noSockets.list("container_engines.cri.sockets")).isEmpty();
    }
}
