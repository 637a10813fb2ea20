package dev.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.EventType;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

/** The three upstream Falco rule files load unmodified, with their rule counts. */
class UpstreamRulesTest {
    private static RuleSet load(Path... files) throws RuleLoadException {
        return Rules.load(List.of(files), EngineOptions.defaults().withHostname("test"));
    }

    @Test
    void stableLoadsWith25Rules() throws Exception {
        RuleSet rs = load(TestFiles.stable());
        assertThat(rs.rules()).hasSize(25);
        assertThat(rs.enabledRules()).hasSize(25);
        assertThat(rs.warnings()).noneMatch(Diagnostic::isError);
    }

    @Test
    void incubatingLoadsWith31Rules() throws Exception {
        RuleSet rs = load(TestFiles.incubating());
        assertThat(rs.rules()).hasSize(31);
    }

    @Test
    void sandboxLoadsWith37RulesOf12Disabled() throws Exception {
        RuleSet rs = load(TestFiles.sandbox());
        assertThat(rs.rules()).hasSize(37);
        assertThat(rs.rules().stream().filter(r -> !r.enabledByDefault())).hasSize(12);
        assertThat(rs.enabledRules()).hasSize(25);
    }

    @Test
    void allThreeTogether() throws Exception {
        RuleSet rs = load(TestFiles.stable(), TestFiles.incubating(), TestFiles.sandbox());
        assertThat(rs.rules()).hasSize(25 + 31 + 37);
        for (CompiledRule r : rs.rules()) {
            assertThat(r.matchesAllTypes()).as(r.name()).isFalse();
            assertThat(r.eventTypes()).as(r.name()).isNotEmpty();
        }
    }

    @Test
    void validateReportsNoErrorsForUpstreamFiles() {
        Rules.Validation v = Rules.validate(List.of(TestFiles.stable(), TestFiles.incubating(), TestFiles.sandbox()));
        assertThat(v.diagnostics()).filteredOn(Diagnostic::isError).isEmpty();
        assertThat(v.exitCode()).isZero();
    }

    @Test
    void requiredEventTypesOfStableRuleset() throws Exception {
        RuleSet rs = load(TestFiles.stable());
        assertThat(rs.requiredEventTypes()).contains(EventType.EXECVE, EventType.EXECVEAT, EventType.OPEN, EventType.OPENAT,
                EventType.OPENAT2, EventType.CONNECT, EventType.PTRACE, EventType.SYMLINK, EventType.LINKAT, EventType.DUP2,
                EventType.INIT_MODULE, EventType.SOCKET, EventType.SENDTO);
        assertThat(rs.requiredEventTypes()).doesNotContain(EventType.CLOSE, EventType.READ, EventType.WRITE, EventType.MMAP);
    }
}
