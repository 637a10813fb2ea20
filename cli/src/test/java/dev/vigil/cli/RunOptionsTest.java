package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.rules.engine.RuleSelector;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** vigil run's rule selection flags keep their command-line order and follow the config file's. */
class RunOptionsTest {
    @Test
    void ruleSelectionFlagsApplyInCommandLineOrder() {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--disable-tag", "*", "--enable-rule", "Read sensitive*",
                "--disable-rule", "Read sensitive file trusted*", "--enable-tag", "network");
        var cfg = RunCommand.config(null, List.of("rules=[{disable: {rule: Terminal*}}]"), List.of(), false, run.selections);
        assertThat(cfg.ruleSelectors()).containsExactly(
                RuleSelector.disableRule("Terminal*"),
                RuleSelector.disableTag("*"),
                RuleSelector.enableRule("Read sensitive*"),
                RuleSelector.disableRule("Read sensitive file trusted*"),
                RuleSelector.enableTag("network"));
        assertThat(cfg.value("rules").origin()).isEqualTo("--enable-tag");
    }
}
