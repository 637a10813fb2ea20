package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil config show}: the effective configuration, each value with its origin. */
class ConfigCliTest {
    @TempDir
    Path dir;

    @Test
    void showsDefaultsFileValuesAndOverridesWithTheirOrigins() throws Exception {
        Path cfg = dir.resolve("vigil.yaml");
        Files.writeString(cfg, "# a falco.yaml-style file\njson_output: true\nrules_files:\n  - /etc/vigil/a.yaml\n"
                + "file_output:\n  enabled: true\n  filename: /var/log/vigil.log\nload_plugins: []\n");
        CliProcess cli = CliProcess.start("config", "show", "-c", cfg.toString(), "-o", "priority=warning");
        assertThat(cli.waitFor(60)).as(cli.err()).isZero();
        String out = cli.out();
        assertThat(out).contains("json_output: true  # " + cfg + ":2:14")
                .contains("  - /etc/vigil/a.yaml\n")
                .contains("priority: warning  # -o priority=warning")
                .contains("  filename: /var/log/vigil.log  # " + cfg + ":7:13")
                .contains("  listen_port: 8765  # default")
                .contains("# ignored (Falco keys Vigil does not use): load_plugins");
    }

    @Test
    void invalidYamlIsOneLineWithItsPositionAndExitTwo() throws Exception {
        Path cfg = dir.resolve("vigil.yaml");
        Files.writeString(cfg, "json_output: true\n  priority: [warning\n");
        CliProcess cli = CliProcess.start("config", "show", "-c", cfg.toString());
        assertThat(cli.waitFor(60)).isEqualTo(2);
        assertThat(cli.err().strip().lines()).hasSize(1);
        assertThat(cli.err()).startsWith("vigil config show: " + cfg + ":2:");
    }

    @Test
    void aMissingNamedFileIsAnError() throws Exception {
        CliProcess cli = CliProcess.start("config", "show", "-c", dir.resolve("nope.yaml").toString());
        assertThat(cli.waitFor(60)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("vigil config show: " + dir.resolve("nope.yaml") + ": no such config file");
    }
}
