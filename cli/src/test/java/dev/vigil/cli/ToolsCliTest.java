package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The BCC-style tools as a user runs them: a child JVM, real activity, real signals. */
class ToolsCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String marker = "vigil-tools-cli-" + UUID.randomUUID();

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void opensnoopJsonThenSigintDrainsExitsZeroAndCountsLosses() throws Exception {
        KernelTests.assumeKernel();
        Path file = Files.writeString(Files.createTempFile(marker, ".txt"), "x");
        try {
            CliProcess cli = CliProcess.start("opensnoop", "--json", "-n", "cat").awaitLinks(2);
            run("cat", file.toString());
            String out = cli.awaitOut(file.toString());
            cli.signal("INT");
            assertThat(cli.waitFor(20)).as(cli.err()).isZero();
            JsonNode e = out.lines().map(ToolsCliTest::json).filter(j -> j.path("path").asText().equals(file.toString()))
                    .findFirst().orElseThrow(() -> new AssertionError("no JSON line for the open: " + out));
            assertThat(e.path("comm").asText()).isEqualTo("cat");
            assertThat(e.path("fd").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(e.path("err").asInt()).isZero();
            assertThat(cli.out().lines()).allMatch(l -> json(l).path("comm").asText().contains("cat"));
            assertThat(cli.err()).contains("Lost 0 events");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A background job of a non-interactive shell starts with SIGINT ignored; kill -INT must still stop the tool. */
    @Test
    void sigintStopsAToolThatStartedWithSigintIgnored() throws Exception {
        KernelTests.assumeKernel();
        Path file = Files.writeString(Files.createTempFile(marker, ".txt"), "x");
        try {
            StringBuilder exec = new StringBuilder("trap '' INT; exec");
            for (String arg : CliProcess.javaCommand(System.getProperty("java.class.path"), "opensnoop", "-n", "cat")) {
                exec.append(" '").append(arg.replace("'", "'\\''")).append('\'');
            }
            CliProcess cli = CliProcess.start(java.util.List.of("bash", "-c", exec.toString())).awaitLinks(2);
            run("cat", file.toString());
            assertThat(cli.awaitOut(file.toString())).contains(file.toString());
            cli.signal("INT");
            assertThat(cli.waitFor(20)).as(cli.err()).isZero();
            assertThat(cli.err()).contains("Lost 0 events");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void opensnoopColumnsAndDurationEndsByItself() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("opensnoop", "-x", "-U", "-d", "2", "-n", "cat").awaitLinks(2);
        String missing = "/nonexistent-" + marker;
        run("cat", missing);
        assertThat(cli.waitFor(30)).as(cli.err()).isZero();
        String[] lines = cli.out().split("\n");
        assertThat(lines[0]).isEqualTo("UID     PID    COMM              FD ERR PATH");
        assertThat(cli.out()).containsPattern("(?m)^0       \\d+ +cat +-1   2 " + missing + "$");
    }

    @Test
    void exitsnoopShowsAFailedExitWithItsCode() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("exitsnoop", "-x", "-t").awaitLinks(1);
        Process child = new ProcessBuilder("sh", "-c", "exit 5").start();
        child.waitFor(10, TimeUnit.SECONDS);
        String out = cli.awaitOut("code 5");
        cli.signal("TERM");
        assertThat(cli.waitFor(20)).as(cli.err()).isZero();
        assertThat(out.lines().findFirst()).hasValue("TIME(s)  PCOMM            PID     PPID    TID     AGE(s)  EXIT_CODE");
        assertThat(out).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d sh +" + child.pid() + " +" + ProcessHandle.current().pid()
                + " +" + child.pid() + " +\\d+\\.\\d\\d +code 5$");
        assertThat(out).doesNotContainPattern("(?m) 0$"); // -x: no clean exits
    }

    @Test
    void statsnoopShowsAFailedStat() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("statsnoop", "-x", "-s").awaitLinks(5);
        String missing = "/nonexistent-" + marker;
        Process child = new ProcessBuilder("stat", missing).start();
        child.waitFor(10, TimeUnit.SECONDS);
        String out = cli.awaitOut(missing);
        cli.signal("INT");
        assertThat(cli.waitFor(20)).as(cli.err()).isZero();
        assertThat(out.lines().findFirst()).hasValue("PID     COMM                 RET  ERR  SYSCALL     PATH");
        assertThat(out).containsPattern("(?m)^" + child.pid() + " +stat +-1   2    \\w+ +" + missing + "$");
    }

    @Test
    void killsnoopShowsAKillWithSignalName() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("killsnoop", "-n").awaitLinks(4);
        Process child = new ProcessBuilder("sleep", "60").start();
        child.destroy();
        child.waitFor(10, TimeUnit.SECONDS);
        String out = cli.awaitOut(" sleep ");
        cli.signal("INT");
        assertThat(cli.waitFor(20)).as(cli.err()).isZero();
        assertThat(out.lines().findFirst()).hasValue("TIME     PID     COMM             SIG       TPID    TCOMM            RESULT");
        assertThat(out).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d " + ProcessHandle.current().pid() + " +\\S+ +SIGTERM +"
                + child.pid() + " +sleep +0 *$");
    }

    @Test
    void syscountPrintsTheTopSyscallsAtTheEndOfItsDuration() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("syscount", "-d", "2", "-T", "3", "-L");
        assertThat(cli.waitFor(60)).as(cli.err()).isZero();
        String[] lines = cli.out().split("\n");
        assertThat(lines[0]).isEqualTo("Tracing syscalls, printing top 3... Ctrl+C to quit.");
        assertThat(lines[1]).matches("\\[\\d\\d:\\d\\d:\\d\\d\\]");
        assertThat(lines[2]).isEqualTo("SYSCALL                   COUNT        TIME (us)");
        assertThat(lines[3]).matches("\\S+ +\\d+ +\\d+\\.\\d{3}");
        CliProcess list = CliProcess.start("syscount", "-l");
        assertThat(list.waitFor(30)).isZero();
        assertThat(list.out().lines()).contains("getppid", "openat");
    }

    static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "opensnoop --no-such-flag | vigil opensnoop: Unknown option: '--no-such-flag' (Usage: vigil opensnoop --help)",
        "opensnoop -p abc         | vigil opensnoop: Invalid value for option '--pid': 'abc' is not an int (Usage: vigil opensnoop --help)",
        "opensnoop -p 0           | vigil opensnoop: -p PID must be a positive number, got 0",
        "opensnoop -n a-name-longer-than-15 | vigil opensnoop: -n NAME must be 1 to 15 bytes (a process name, comm, is at most 15)",
        "opensnoop -d 0           | vigil opensnoop: -d DURATION must be a positive number of seconds, got 0",
        "opensnoop -c /no/such/cg | vigil opensnoop: -c /no/such/cg: not a cgroup v2 directory",
        "sigsnoop -s FOO          | vigil sigsnoop: -s FOO: not a signal number or name",
        "killsnoop -k -z          | vigil killsnoop: Unknown option: '-z' (Usage: vigil killsnoop --help)",
        "syscount -e EFOO         | vigil syscount: -e EFOO: not an errno number or name (EPERM, ENOENT, ...)",
        "syscount -T 0            | vigil syscount: -T TOP must be a positive number, got 0",
        "capable -u foo           | vigil capable: -u foo: expected pid or cgroup",
        "capable -K               | vigil capable: -K: stack traces are not supported yet",
        "oomkill -p 1             | vigil oomkill: Unknown options: '-p', '1' (Usage: vigil oomkill --help)",
        "mountsnoop -p 0          | vigil mountsnoop: -p PID must be a positive number, got 0",
        "exitsnoop --pid=x        | vigil exitsnoop: Invalid value for option '--pid': 'x' is not an int (Usage: vigil exitsnoop --help)",
        "exitsnoop -t 5           | vigil exitsnoop: Unmatched argument at index 2: '5' (Usage: vigil exitsnoop --help)",
        "bindsnoop -P 80,0        | vigil bindsnoop: -P 80,0: '0' is not a port (1-65535)",
        "bindsnoop -u 1           | vigil bindsnoop: Unknown options: '-u', '1' (Usage: vigil bindsnoop --help)",
    })
    void badFlagsGiveOneLineAndExitTwo(String args, String expected) throws Exception {
        if (expected.contains("cgroup v2")) {
            KernelTests.assumeKernel(); // checked after the privilege check
        }
        CliProcess cli = CliProcess.start(args.strip().split(" +"));
        assertThat(cli.waitFor(30)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo(expected);
        assertThat(cli.out()).isEmpty();
    }
}
