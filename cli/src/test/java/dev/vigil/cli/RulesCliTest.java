package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule commands as a user runs them (no kernel needed). */
class RulesCliTest {
    static Path upstream(String file) {
        String root = System.getenv().getOrDefault("VIGIL_PROJECT_ROOT", Path.of("").toAbsolutePath().getParent().toString());
        return Path.of(root).resolve("../shared/falco-rules").resolve(file).normalize();
    }

    @Test
    void upstreamFilesValidate() throws Exception {
        CliProcess cli = CliProcess.start("rules", "validate", upstream("falco_rules.yaml").toString(),
                upstream("falco-incubating_rules.yaml").toString(), upstream("falco-sandbox_rules.yaml").toString());
        assertThat(cli.waitFor(60)).as(cli.err()).isZero();
        assertThat(cli.out().strip()).endsWith("ok: 3 files, 0 errors, 0 warnings");
    }

    @Test
    void errorsNameFileLineAndColumnAndExitOne(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                - rule: Bad field
                  desc: uses a field that does not exist
                  condition: evt.type = open and proc.nosuchfield = x
                  output: "%proc.name"
                  priority: WARNING
                """);
        CliProcess cli = CliProcess.start("rules", "validate", bad.toString());
        assertThat(cli.waitFor(60)).isEqualTo(1);
        assertThat(cli.out()).contains(bad + ":3:34: ").contains("proc.nosuchfield");
        assertThat(cli.out().strip()).endsWith("invalid: 1 file, 1 error, 0 warnings");
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void aMissingFileIsAUsageError(@TempDir Path dir) throws Exception {
        CliProcess cli = CliProcess.start("rules", "validate", dir.resolve("none.yaml").toString());
        assertThat(cli.waitFor(60)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("vigil rules validate: " + dir.resolve("none.yaml") + ": cannot read the file");
    }

    @Test
    void listFieldsPrintsTheRegistry() throws Exception {
        CliProcess cli = CliProcess.start("list", "fields");
        assertThat(cli.waitFor(60)).isZero();
        assertThat(cli.out()).contains("proc.name").contains("fd.name").contains("evt.type").contains("container.id");
    }
}
