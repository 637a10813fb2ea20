package dev.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.EventType;
import dev.vigil.rules.engine.FdStateNeeds;
import dev.vigil.rules.engine.RuleSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Whether any alert can read fd state an open created (issue #17): the rules that make the fd table need every
 * successful open, and the proofs that let socket calls and dups off.
 */
class FdStateNeedsTest {
    /** The sensor's table readers (RecordParser.FD_TABLE_READERS; the sensor module is not a dependency of rules). */
    static final Set<EventType> READERS = EnumSet.of(EventType.CONNECT, EventType.BIND, EventType.LISTEN, EventType.SENDTO,
            EventType.RECVFROM, EventType.SENDMSG, EventType.RECVMSG, EventType.DUP, EventType.DUP2, EventType.DUP3, EventType.FCNTL,
            EventType.CLOSE, EventType.FCHMOD, EventType.FCHOWN, EventType.FTRUNCATE, EventType.FCHDIR, EventType.FINIT_MODULE,
            EventType.IOCTL, EventType.SENDFILE, EventType.IO_URING_ENTER, EventType.SPLICE, EventType.SYSCALL);

    static FdStateNeeds needs(RuleSet rs) { return needs(rs, ""); }

    static FdStateNeeds needs(RuleSet rs, String extra) {
        return FdStateNeeds.of(rs, rs.requiredEventTypes(), READERS, extra);
    }

    static FdStateNeeds rule(String condition, String output) {
        return needs(Fixtures.load("- rule: R\n  desc: d\n  condition: " + condition + "\n  output: \"" + output + "\"\n  priority: WARNING\n"));
    }

    static Path correlations() {
        return Path.of(System.getProperty("user.dir")).resolve("../agent/src/main/resources/rules/vigil_correlation_rules.yaml").normalize();
    }

    @Test
    void theDefaultsNeedNone() throws Exception {
        RuleSet rs = Fixtures.load(Files.readString(TestFiles.stable()), Files.readString(correlations()));
        assertThat(rs.correlations().enabled()).as("the correlations loaded").isNotEmpty();
        FdStateNeeds n = needs(rs);
        assertThat(n.needed()).as(String.join("\n", n.reasons())).isFalse();
        assertThat(n.reasons()).anyMatch(r -> r.contains("Redirect STDOUT/STDIN to Network Connection in Container") && r.contains("requires a socket"))
                .anyMatch(r -> r.contains("Reverse Shell") && r.contains("dup2"))
                .anyMatch(r -> r.contains("on connect") && r.contains("ENOTSOCK"));
    }

    @Test
    void theUpstreamFilesAreJudged() throws Exception {
        RuleSet rs = Fixtures.load(Files.readString(TestFiles.stable()), Files.readString(TestFiles.incubating()),
                Files.readString(TestFiles.sandbox())).enable("*");
        FdStateNeeds n = needs(rs);
        assertThat(n.reasons()).isNotEmpty();
        // whatever the verdict, each reason that needs the state names a rule and a field
        for (String r : n.reasons()) if (r.startsWith("needed:")) assertThat(r).containsAnyOf("rule '", "correlation '", "fchdir", "append_output");
    }

    @Test
    void fdFieldsOnTableReadersNeedIt() {
        assertThat(rule("evt.type = close and fd.name startswith /etc", "x").needed()).isTrue();
        assertThat(rule("evt.type = fchmod and proc.name = x", "f=%fd.name").reasons())
                .anyMatch(r -> r.startsWith("needed: rule 'R' reads fd.name on fchmod"));
        // fd fields on a type whose fd is the open's own record, not the table: no need
        assertThat(rule("evt.type = openat and fd.name startswith /etc", "f=%fd.name").needed()).isFalse();
    }

    @Test
    void stdioAndFdTypesNeedItOnAnyType() {
        assertThat(rule("evt.type = execve and proc.stdin.type = ipv4", "x").needed()).isTrue();
        assertThat(rule("evt.type = execve and proc.name = sh", "types=%fd.types").needed()).isTrue();
        assertThat(rule("evt.type = execve and proc.name = sh", "out=%proc.stdout.name").needed()).isTrue();
        assertThat(rule("evt.type = execve and proc.name = sh", "x=%proc.cmdline").needed()).isFalse();
        // a poll's fd array is named from the table: a polled file's name came from its open
        assertThat(rule("evt.type = poll and proc.name = sh", "fds=%fdlist.names").needed()).isTrue();
        assertThat(rule("evt.type = ppoll and fdlist.names contains passwd", "x").needed()).isTrue();
    }

    @Test
    void socketCallsAreOffWhenTheyCannotMatchENOTSOCK() {
        assertThat(rule("evt.type = connect and evt.rawres >= 0 and fd.sport = 4444", "x").needed()).isFalse();
        assertThat(rule("evt.type = connect and (evt.rawres >= 0 or evt.res = EINPROGRESS) and fd.sip = 1.2.3.4", "x").needed()).isFalse();
        assertThat(rule("evt.type = sendto and fd.typechar = 4", "x=%fd.name").needed()).isFalse();
        assertThat(rule("evt.type = connect and fd.type in (ipv4, ipv6)", "x=%fd.name").needed()).isFalse();
        // can match a failed call on a file fd: the fd's name would come from the open
        assertThat(rule("evt.type = connect and evt.failed = true", "x=%fd.name").needed()).isTrue();
        assertThat(rule("evt.type = connect and evt.res = ENOTSOCK", "x=%fd.name").needed()).isTrue();
        assertThat(rule("evt.type = connect and not fd.type = ipv4", "x").needed()).isTrue();
        assertThat(rule("evt.type = connect and fd.type != unix", "x").needed()).isTrue();
    }

    @Test
    void dupsAreOffOnlyWhenTheyRequireASocket() {
        assertThat(rule("evt.type in (dup, dup2, dup3) and fd.num in (0, 1, 2) and fd.type in (ipv4, ipv6)", "x=%fd.name").needed()).isFalse();
        assertThat(rule("evt.type = dup2 and (fd.typechar = 4 or fd.typechar = 6)", "x").needed()).isFalse();
        // a dup of a file: its name comes from the open
        assertThat(rule("evt.type = dup2 and fd.name startswith /etc", "x").needed()).isTrue();
        assertThat(rule("evt.type = dup2 and evt.rawres >= 0", "x=%fd.name").needed()).isTrue();
        // userfaultfd's typechar is u too: not a proof
        assertThat(rule("evt.type = dup2 and fd.typechar = u", "x").needed()).isTrue();
    }

    @Test
    void fchdirCorrelationsAndAppendOutput() {
        assertThat(rule("evt.type = fchdir and proc.name = x", "x").reasons()).anyMatch(r -> r.contains("fchdir is captured"));
        RuleSet corr = Fixtures.load("""
                - correlation: C
                  desc: d
                  type: event_count
                  condition: evt.type = close and proc.name = x
                  group_by: [fd.name]
                  window: 10s
                  threshold: {gte: 2}
                  output: "x"
                  priority: WARNING
                """);
        assertThat(needs(corr).needed()).as(String.join("\n", needs(corr).reasons())).isTrue();
        RuleSet plain = Fixtures.load("- rule: R\n  desc: d\n  condition: evt.type = close and proc.name = x\n  output: x\n  priority: WARNING\n");
        assertThat(needs(plain).needed()).isFalse();
        assertThat(needs(plain, "file=%fd.name").needed()).isTrue();
    }
}
