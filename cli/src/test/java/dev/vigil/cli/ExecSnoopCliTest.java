package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CLI as a user runs it: a child JVM, real signals, bpftool to see what stays in the kernel. */
class ExecSnoopCliTest {
    private final String marker = "vigil-cli-" + UUID.randomUUID();

    /** IDs of execsnoop's programs now loaded in the kernel. */
    static List<Integer> execsnoopPrograms() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "-j", "prog", "show").start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        List<Integer> ids = new ArrayList<>();
        for (JsonNode prog : new ObjectMapper().readTree(out)) {
            String name = prog.path("name").asText();
            if (name.equals("handle_exec") || name.startsWith("tracepoint__syscalls__sys_e")) {
                ids.add(prog.path("id").asInt());
            }
        }
        return ids;
    }

    /** Programs referenced by a link: attached, not only loaded. */
    static List<Integer> linkedPrograms() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "-j", "link", "show").start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        List<Integer> ids = new ArrayList<>();
        for (JsonNode link : new ObjectMapper().readTree(out)) {
            ids.add(link.path("prog_id").asInt());
        }
        return ids;
    }

    static void awaitAttached(CliProcess cli, List<Integer> before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<Integer> now = execsnoopPrograms();
            now.removeAll(before);
            if (!now.isEmpty() && linkedPrograms().containsAll(now)) {
                Thread.sleep(500); // the header follows the attach
                return;
            }
            assertThat(cli.process.isAlive()).as("vigil exited early: " + cli.err()).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("execsnoop never attached; stderr: " + cli.err());
    }

    static void awaitGone(List<Integer> before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Integer> now = execsnoopPrograms();
        while (!before.containsAll(now) && System.nanoTime() < deadline) {
            Thread.sleep(100); // the kernel frees programs asynchronously after the last fd closes
            now = execsnoopPrograms();
        }
        assertThat(now).as("programs left in the kernel").isSubsetOf(before);
    }

    @Test
    void jsonEventsThenSigintExitsZeroAndLeavesNothingAttached() throws Exception {
        KernelTests.assumeKernel();
        List<Integer> before = execsnoopPrograms();
        CliProcess cli = CliProcess.start("execsnoop", "--json", "-l", marker);
        awaitAttached(cli, before);
        Process child = new ProcessBuilder("/bin/echo", marker, "two words").start();
        child.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cli.out().contains(marker) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        cli.signal("INT");
        assertThat(cli.waitFor(10)).as(cli.err()).isZero();
        String[] lines = cli.out().strip().split("\n");
        assertThat(lines).hasSize(1);
        JsonNode e = new ObjectMapper().readTree(lines[0]);
        assertThat(e.path("pid").asLong()).isEqualTo(child.pid());
        assertThat(e.path("ppid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(e.path("pcomm").asText()).isEqualTo("echo");
        assertThat(e.path("ret").asInt()).isZero();
        assertThat(e.path("args").toString()).isEqualTo("[\"/bin/echo\",\"" + marker + "\",\"two words\"]");
        awaitGone(before);
    }

    @Test
    void sigtermAndSigkillLeaveNothingAttached() throws Exception {
        KernelTests.assumeKernel();
        List<Integer> before = execsnoopPrograms();
        CliProcess term = CliProcess.start("execsnoop");
        awaitAttached(term, before);
        term.signal("TERM");
        assertThat(term.waitFor(10)).isZero();
        assertThat(term.out()).startsWith("PCOMM");
        awaitGone(before);

        CliProcess killed = CliProcess.start("execsnoop", "-x");
        awaitAttached(killed, before);
        killed.signal("KILL");
        killed.waitFor(10);
        awaitGone(before);
    }

    @Test
    void anUnprivilegedUserGetsOneClearLineAndExitTwo() throws Exception {
        KernelTests.assumeKernel();
        // nobody cannot read a class path under /root: give it a world-readable copy
        Path dir = Files.createTempDirectory("vigil-cp");
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(":")) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve(i++ + "-" + src.getFileName());
            new ProcessBuilder("cp", "-r", src.toString(), dst.toString()).inheritIO().start().waitFor();
            entries.add(dst.toString());
        }
        new ProcessBuilder("chmod", "-R", "a+rX", dir.toString()).inheritIO().start().waitFor();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(CliProcess.javaCommand(String.join(":", entries), "execsnoop"));
        CliProcess cli = CliProcess.start(cmd);
        assertThat(cli.waitFor(60)).isEqualTo(2);
        String err = cli.err().strip();
        assertThat(err.lines()).hasSize(1);
        assertThat(err).startsWith("vigil execsnoop: insufficient privileges").contains("root").doesNotContain("Exception").doesNotContain("\tat ");
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    @Test
    void badFlagsGiveUsageAndExitTwo() throws Exception {
        CliProcess cli = CliProcess.start("execsnoop", "--no-such-flag");
        assertThat(cli.waitFor(30)).isEqualTo(2);
        assertThat(cli.err()).contains("Unknown option: '--no-such-flag'").contains("Usage: vigil execsnoop");
        CliProcess badArgs = CliProcess.start("execsnoop", "--max-args", "0");
        assertThat(badArgs.waitFor(30)).isEqualTo(2);
        assertThat(badArgs.err().strip()).isEqualTo("vigil execsnoop: --max-args must be between 1 and 60, got 0");
        CliProcess badUid = CliProcess.start("execsnoop", "-u", "abc");
        assertThat(badUid.waitFor(30)).isEqualTo(2);
        assertThat(badUid.err()).contains("Invalid value for option '--uid'");
    }

    @Test
    void featuresPrintsWhatTheKernelAllows() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("features");
        assertThat(cli.waitFor(60)).as(cli.err()).isZero();
        assertThat(cli.out()).contains("tracepoint ").containsPattern("ringbuf +yes");
    }
}
