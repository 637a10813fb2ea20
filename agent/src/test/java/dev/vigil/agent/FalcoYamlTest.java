package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.config.ConfigException;
import dev.vigil.agent.config.FalcoKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco 0.44's stock falco.yaml loads unmodified; -o takes any key of Falco's schema; config_files merge. */
class FalcoYamlTest {
    static final Path STOCK = Path.of("src/test/resources/falco-0.44/falco.yaml");

    @TempDir
    Path dir;

    @Test
    void theStockFalcoYamlLoadsEveryKeyHonouredOrReportedWithItsPosition() {
        AgentConfig c = AgentConfig.builder().file(STOCK, true).build();
        // honoured, with Falco's values
        assertThat(c.list("rules_files")).containsExactly("/etc/falco/falco_rules.yaml", "/etc/falco/falco_rules.local.yaml",
                "/etc/falco/rules.d");
        assertThat(c.string("log_level")).isEqualTo("informational");
        assertThat(c.bool("log_syslog")).isTrue();
        assertThat(c.bool("syslog_output.enabled")).isTrue();
        assertThat(c.integer("http_output.max_consecutive_timeouts")).isEqualTo(5);
        assertThat(c.string("http_output.user_agent")).isEqualTo("falcosecurity/falco");
        assertThat(c.list("syscall_event_drops.actions")).containsExactly("log", "alert");
        assertThat(c.number("syscall_event_drops.threshold")).isEqualTo(0.1);
        assertThat(c.integer("metrics.interval")).isEqualTo(3_600_000);
        assertThat(c.bool("webserver.prometheus_metrics_enabled")).isFalse();
        assertThat(c.string("webserver.listen_address")).isEqualTo("0.0.0.0");
        assertThat(c.appendOutput()).singleElement().matches(a -> a.suggested());
        // not supported: accepted, each reported once with its position
        assertThat(c.ignoredKeys()).contains("engine.kind", "engine.kmod", "capture", "load_plugins", "plugins",
                "plugins_hostinfo", "buffer_format_base64", "libs_logger", "falco_libs", "syscall_event_timeouts",
                "metrics.libbpf_stats_enabled");
        assertThat(c.ignoredKeys()).doesNotHaveDuplicates();
        List<String> notes = c.startupNotes();
        assertThat(notes).anyMatch(n -> n.matches(".*falco\\.yaml:\\d+:1: falco\\.yaml key 'plugins_hostinfo' is not supported, ignored.*"));
        assertThat(notes).anyMatch(n -> n.contains("config_files: /etc/falco/config.d does not exist, skipped")
                || !Files.exists(Path.of("/etc/falco/config.d")));
        // every key the file has is either a Vigil key or in the table of Falco keys
        for (var i : c.ignored()) assertThat(FalcoKeys.find(i.key())).isNotNull();
    }

    @Test
    void everyHonouredFalcoKeyIsAVigilKey() {
        for (FalcoKeys.Entry e : FalcoKeys.ALL) {
            if (e.support() == FalcoKeys.Support.HONOURED) {
                assertThat(AgentConfig.keys().keySet().stream().anyMatch(k -> k.equals(e.path()) || k.startsWith(e.path() + ".")))
                        .as(e.path()).isTrue();
            }
        }
    }

    @Test
    void theCompatibilityTableInTheDocsListsEveryFalcoKeyAsTheCodeDoes() throws Exception {
        Path doc = Path.of(System.getenv().getOrDefault("VIGIL_PROJECT_ROOT", "..")).resolve("docs/falco-compat.yaml");
        String text = Files.readString(doc);
        assertThat(text).as("docs/falco-compat.yaml keys: regenerate from FalcoKeys.compatYaml()").contains(FalcoKeys.compatYaml());
        for (String section : List.of("flags:", "field_classes:", "rule_language:", "alerts:", "endpoints:")) {
            assertThat(text).contains("\n" + section);
        }
    }

    @Test
    void dashOTakesAnySchemaKeyListIndexesAndFlowValues() {
        AgentConfig c = AgentConfig.builder().file(STOCK, true)
                .override("log_level=debug")
                .override("metrics.enabled=true")
                .override("metrics.interval=15s")
                .override("rules_files[0]=/mine.yaml")
                .override("rules_files[3]=/extra.yaml")
                .override("syscall_event_drops.actions=[exit]")
                .override("append_output[1]={match: {source: syscall, tag: T1}, extra_output: \"on CPU %evt.cpu\", "
                        + "extra_fields: [evt.hostname, {home: \"${HOME}\"}]}")
                .override("engine.kind=kmod")
                .override("plugins[0].init_config.label_max_len=50")
                .build();
        assertThat(c.string("log_level")).isEqualTo("debug");
        assertThat(c.value("log_level").origin()).isEqualTo("-o log_level=debug");
        assertThat(c.bool("metrics.enabled")).isTrue();
        assertThat(c.integer("metrics.interval")).isEqualTo(15_000);
        assertThat(c.list("rules_files")).containsExactly("/mine.yaml", "/etc/falco/falco_rules.local.yaml",
                "/etc/falco/rules.d", "/extra.yaml");
        assertThat(c.list("syscall_event_drops.actions")).containsExactly("exit");
        var extra = c.appendOutput().get(1);
        assertThat(extra.source()).isEqualTo("syscall");
        assertThat(extra.tag()).isEqualTo("T1");
        assertThat(extra.extraOutput()).isEqualTo("on CPU %evt.cpu");
        assertThat(extra.extraFields()).containsEntry("evt.hostname", "%evt.hostname")
                .containsEntry("home", System.getenv().getOrDefault("HOME", ""));
        assertThat(c.ignored()).anyMatch(i -> i.key().equals("engine.kind") && i.origin().equals("-o engine.kind=kmod"));
        assertThatThrownBy(() -> AgentConfig.builder().override("rules_files[5]=/x").build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("-o rules_files[5]=/x: list index 5 is past the end");
        assertThatThrownBy(() -> AgentConfig.builder().override("no_such_key=1").build())
                .hasMessage("-o no_such_key=1: unknown key 'no_such_key' (see vigil config show)");
        assertThatThrownBy(() -> AgentConfig.builder().override("syscall_event_drops.actions=[explode]").build())
                .hasMessageContaining("actions are ignore, log, alert, exit; not 'explode'");
    }

    @Test
    void configFilesMergeInOrderWithFalcosStrategies() throws Exception {
        Path d = Files.createDirectories(dir.resolve("config.d"));
        Files.writeString(d.resolve("10-a.yaml"), "rules_files: [/from-a.yaml]\npriority: warning\n");
        Files.writeString(d.resolve("20-b.yml"), "priority: error\nwebserver:\n  listen_port: 9999\n");
        Files.writeString(d.resolve("ignored.txt"), "priority: emergency\n");
        Path over = Files.writeString(dir.resolve("over.yaml"), "rules_files: [/only.yaml]\n");
        Path add = Files.writeString(dir.resolve("add.yaml"), "priority: alert\njson_output: true\n");
        Path main = Files.writeString(dir.resolve("falco.yaml"), "rules_files: [/main.yaml]\nconfig_files:\n  - " + d
                + "\n");
        AgentConfig c = AgentConfig.builder().file(main, true).build();
        assertThat(c.list("rules_files")).containsExactly("/main.yaml", "/from-a.yaml"); // append
        assertThat(c.string("priority")).isEqualTo("error");
        assertThat(c.integer("webserver.listen_port")).isEqualTo(9999);
        assertThat(c.value("webserver.listen_port").origin()).isEqualTo(d.resolve("20-b.yml") + ":3:16");
        Files.writeString(main, "rules_files: [/main.yaml]\npriority: notice\nconfig_files:\n  - path: " + over
                + "\n    strategy: override\n  - path: " + add + "\n    strategy: add-only\n");
        AgentConfig o = AgentConfig.builder().file(main, true).build();
        assertThat(o.list("rules_files")).containsExactly("/only.yaml");
        assertThat(o.string("priority")).isEqualTo("notice"); // add-only does not override
        assertThat(o.bool("json_output")).isTrue(); // but adds
        Path extra = Files.writeString(dir.resolve("extra.yaml"), "rules_files: [/extra.yaml]\n");
        AgentConfig viaO = AgentConfig.builder().file(main, true).override("config_files=[" + extra + "]").build();
        assertThat(viaO.list("rules_files")).as("-o config_files merges them too").containsExactly("/only.yaml", "/extra.yaml");
        Files.writeString(add, "config_files: [/x]\n");
        assertThatThrownBy(() -> AgentConfig.builder().file(main, true).build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining(add + ":1:15: config_files in an included file is not allowed");
    }

    @Test
    void appendOutputMatchesBySourceTagAndRule() {
        var items = dev.vigil.agent.config.AppendOutput.parse(List.of(
                Map.of("match", Map.of("rule", "R1"), "extra_output", "x"),
                Map.of("match", Map.of("tag", "net", "source", "syscall"), "extra_output", "y")));
        assertThat(items.get(0).matches("syscall", List.of(), "R1")).isTrue();
        assertThat(items.get(0).matches("syscall", List.of(), "R2")).isFalse();
        assertThat(items.get(1).matches("syscall", List.of("net"), "R2")).isTrue();
        assertThat(items.get(1).matches("k8s_audit", List.of("net"), "R2")).isFalse();
        assertThat(items.get(1).matches("syscall", List.of("fs"), "R2")).isFalse();
    }
}
