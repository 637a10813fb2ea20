package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco's command-line flags on {@code vigil run}, one test each; listings against golden files in Falco's layout. */
class FalcoFlagsTest {
    static final Path RULES = Path.of("src/test/resources/falco-cli/rules.yaml");
    static final Path GOLDEN = Path.of("src/test/resources/falco-cli");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    /** Runs the CLI in this JVM (the informational flags open no kernel program). */
    static synchronized Result run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Vigil.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static String golden(String name) throws Exception {
        return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void dashLListsTheRulesAsFalco() throws Exception {
        Result r = run("run", "-r", RULES.toString(), "-L");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(golden("L.txt"));
    }

    @Test
    void dashLowercaseLDescribesOneRule() throws Exception {
        Result r = run("run", "-r", RULES.toString(), "-l", "Open of a secret");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(golden("l.txt"));
        Result none = run("run", "-r", RULES.toString(), "-l", "No such rule");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("vigil run: -l: no rule named 'No such rule' in the loaded rules\n");
    }

    @Test
    void listPrintsTheFieldsByClassAsFalco() throws Exception {
        Result r = run("run", "--list");
        assertThat(r.code()).isZero();
        String head = String.join("\n", r.out().lines().limit(8).toList()) + "\n";
        assertThat(head).isEqualTo(golden("list-head.txt"));
        assertThat(r.out()).contains("\nField Class:                  proc\n").contains("\nproc.name ");
        assertThat(run("run", "--list", "syscall").out()).isEqualTo(r.out());
        Result bad = run("run", "--list", "k8s_audit");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--list: unknown event source 'k8s_audit'");
    }

    @Test
    void dashNWithListPrintsOnlyNames() {
        Result r = run("run", "--list", "-N");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains("evt.type", "proc.name", "fd.name").allMatch(l -> !l.contains(" ") && l.contains("."));
    }

    @Test
    void listEventsNamesEachEventWithItsParameters() {
        Result r = run("run", "--list-events");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Syscall events:\n\n").contains("\n< openat(").contains("\n< execve(");
    }

    @Test
    void dryRunLoadsConfigAndRulesAndAttachesNothing() throws Exception {
        Result r = run("run", "-r", RULES.toString(), "--dry-run");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("dry run: configuration and 2 rules (2 enabled) loaded; nothing was attached\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "- rule: x\n  condition: evt.type=\n");
        Result b = run("run", "-r", bad.toString(), "--dry-run");
        assertThat(b.code()).isEqualTo(2);
        assertThat(b.err()).startsWith("vigil run: rules: " + bad + ":");
    }

    @Test
    void supportPrintsFalcosSupportJson() throws Exception {
        Path cfg = Files.writeString(dir.resolve("falco.yaml"), "priority: warning\nrules_files: [" + RULES + "]\n");
        Result r = run("run", "-c", cfg.toString(), "--support");
        assertThat(r.code()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.path("engine_info").path("engine_version").asText()).isEqualTo("0.62.0");
        assertThat(j.path("system_info").path("release").asText()).isNotEmpty();
        assertThat(j.path("cmdline").asText()).isEqualTo("vigil run -c " + cfg + " --support");
        assertThat(j.path("config").asText()).contains("priority: warning");
        assertThat(j.path("rules_files").get(0).path("name").asText()).isEqualTo(RULES.toString());
        assertThat(j.path("rules_files").get(0).path("content").asText()).contains("Open of a secret");
    }

    @Test
    void dashCapitalVValidatesLikeFalcoAndIsNotTheVersionFlag() throws Exception {
        Result ok = run("run", "-V", RULES.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo("Validating rules file(s):\n   " + RULES + "\n" + RULES + ": Ok\n");
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "- rule: x\n  desc: d\n  condition: evt.type=\n  output: o\n  priority: INFO\n");
        Result b = run("run", "--validate", bad.toString());
        assertThat(b.code()).isEqualTo(1);
        assertThat(b.out()).contains(bad + ": Invalid\n" + bad + ":3:");
        assertThat(run("run", "--version").out()).startsWith("vigil ");
    }

    @Test
    void enableAndDisableSourceKnowTheSyscallSource() {
        assertThat(run("run", "-r", RULES.toString(), "--enable-source", "syscall", "--dry-run").code()).isZero();
        Result off = run("run", "--disable-source", "syscall", "--dry-run");
        assertThat(off.code()).isEqualTo(2);
        assertThat(off.err()).contains("every event source is disabled");
        Result unknown = run("run", "--enable-source", "aws_cloudtrail", "--dry-run");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown event source 'aws_cloudtrail'");
        assertThat(run("run", "--enable-source", "syscall", "--disable-source", "syscall", "--dry-run").err())
                .contains("cannot be used together");
    }

    @Test
    void dashUMeansUnbufferedOutputsAndDashAIsAccepted() {
        assertThat(run("config", "show").out()).contains("buffered_outputs: false");
        assertThat(run("run", "-r", RULES.toString(), "-U", "-A", "--dry-run").code()).isZero();
        assertThat(RunCommand.config(null, List.of("buffered_outputs=true"), List.of(), false).bool("buffered_outputs")).isTrue();
    }

    @Test
    void dashMStopsAfterTheGivenSeconds() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("run", "-r", RULES.toString(), "-M", "2", "-o", "webserver.enabled=false");
        assertThat(cli.waitFor(60)).as(cli.err()).isZero();
        assertThat(cli.err()).contains("vigil: running: 2 rules");
    }

    @Test
    void syscallEventDropsExitEndsVigilRunWithCode1OnAForcedDrop() throws Exception {
        KernelTests.assumeKernel();
        CliProcess cli = CliProcess.start("run", "-r", RULES.toString(), "-o", "webserver.enabled=false",
                "-o", "sensor.ring_buffer_bytes=4096", "-o", "syscall_event_drops.threshold=0",
                "-o", "syscall_event_drops.actions=[exit]");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!cli.err().contains("vigil: running:")) {
            assertThat(cli.process.isAlive()).as(cli.err()).isTrue();
            assertThat(System.nanoTime()).as(cli.err()).isLessThan(deadline);
            Thread.sleep(20);
        }
        // a flood of execs and opens: more than a 4 KiB ring holds between two reads
        Process flood = new ProcessBuilder("sh", "-c", "while :; do cat /etc/hostname; done")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(cli.waitFor(60)).as(cli.err()).isEqualTo(1);
        } finally {
            flood.destroyForcibly();
        }
        assertThat(cli.err()).contains("vigil run: Falco internal: syscall event drop. ")
                .contains("Exiting (syscall_event_drops.actions: exit)");
    }
}
