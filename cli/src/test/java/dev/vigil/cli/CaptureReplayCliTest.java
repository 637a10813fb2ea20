package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil capture} of a real exec in a child JVM, SIGINT, then {@code vigil replay} of the file. */
class CaptureReplayCliTest {
    @TempDir Path dir;
    private final String marker = "vigil-capture-" + UUID.randomUUID();

    /** The vigil command line, with capture and replay added if Vigil.java does not register them (yet). */
    public static final class Main {
        public static void main(String[] args) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "vigil: %4$s: %5$s%6$s%n");
            CommandLine cli = new CommandLine(new Vigil());
            if (!cli.getSubcommands().containsKey("capture")) cli.addSubcommand(new CaptureCommand());
            if (!cli.getSubcommands().containsKey("replay")) cli.addSubcommand(new ReplayCommand());
            cli.setExecutionExceptionHandler(Vigil::handleError);
            System.exit(cli.execute(args));
        }
    }

    static CliProcess vigil(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(CliProcess.javaCommand(System.getProperty("java.class.path")));
        cmd.set(cmd.size() - 1, Main.class.getName());
        cmd.addAll(Arrays.asList(args));
        return CliProcess.start(cmd);
    }

    @Test
    void captureARealExecThenReplayIt() throws Exception {
        KernelTests.assumeKernel();
        Path file = dir.resolve("exec.vcap");
        CliProcess cap = vigil("capture", "-w", file.toString(), "--events", "execve,openat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cap.err().contains("writing") && System.nanoTime() < deadline) {
            assertThat(cap.process.isAlive()).as("capture exited early: " + cap.err()).isTrue();
            Thread.sleep(50);
        }
        assertThat(cap.err()).contains("writing " + file);
        Process child = new ProcessBuilder("/bin/echo", marker, "two words").start();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300); // the reader drains every 2 ms
        cap.signal("INT");
        assertThat(cap.waitFor(20)).as(cap.err()).isZero();
        assertThat(cap.err()).containsPattern("vigil capture: [1-9][0-9]* events, [0-9]+ process records, [0-9]+ container records written to "
                + java.util.regex.Pattern.quote(file.toString()) + "; [0-9]+ events dropped by the kernel");

        CliProcess replay = vigil("replay", file.toString(), "--json");
        assertThat(replay.waitFor(60)).as(replay.err()).isZero();
        assertThat(replay.err()).containsPattern("vigil replay: [1-9][0-9]* events");
        ObjectMapper json = new ObjectMapper();
        JsonNode exec = null;
        int lines = 0;
        for (String l : replay.out().split("\n")) {
            if (l.isBlank()) continue;
            JsonNode e = json.readTree(l); // every line is one JSON object
            lines++;
            if (e.path("type").asText().equals("execve") && e.path("pid").asLong() == child.pid()) exec = e;
        }
        assertThat(lines).isPositive();
        assertThat(exec).as("the echo exec in:\n" + replay.out()).isNotNull();
        assertThat(exec.path("res").asLong()).isZero();
        assertThat(exec.path("comm").asText()).isEqualTo("echo");
        assertThat(exec.path("exepath").asText()).isEqualTo(Path.of("/bin/echo").toRealPath().toString()); // merged /usr
        assertThat(exec.path("ppid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(exec.path("pcomm").asText()).isNotEmpty();
        assertThat(exec.path("args").path("args").asText()).isEqualTo(marker + " two words");
        assertThat(exec.path("cmdline").asText()).isEqualTo("echo " + marker + " two words");

        CliProcess text = vigil("replay", file.toString());
        assertThat(text.waitFor(60)).as(text.err()).isZero();
        assertThat(text.out()).containsPattern(child.pid() + " echo [0-9]+ < execve .*args=" + marker + " two words");

        // with rules: the alerts, as vigil run prints them (text on stdout, then --json)
        Path rules = Files.writeString(dir.resolve("r.yaml"), """
                - rule: Marked echo
                  desc: the marked echo
                  condition: evt.type=execve and proc.name=echo and proc.args contains %s
                  output: marked echo %%proc.cmdline parent=%%proc.pname
                  priority: WARNING
                """.formatted(marker));
        CliProcess alerts = vigil("replay", file.toString(), "-r", rules.toString());
        assertThat(alerts.waitFor(60)).as(alerts.err()).isZero();
        assertThat(alerts.out().strip().lines().filter(l -> l.contains("marked echo")).toList()).singleElement().asString()
                .matches("[0-9:.]+: Warning marked echo echo " + marker + " two words parent=\\S+.*");
        assertThat(alerts.err()).containsPattern("vigil replay: [1-9][0-9]* events, 1 alerts");
        CliProcess jsonAlerts = vigil("replay", file.toString(), "-r", rules.toString(), "--json");
        assertThat(jsonAlerts.waitFor(60)).as(jsonAlerts.err()).isZero();
        JsonNode alert = json.readTree(jsonAlerts.out().strip().lines().filter(l -> l.contains("Marked echo")).findFirst().orElseThrow());
        assertThat(alert.path("rule").asText()).isEqualTo("Marked echo");
        assertThat(alert.path("output_fields").path("proc.cmdline").asText()).isEqualTo("echo " + marker + " two words");

        // a capture cut short: the complete events, then one clear line with the offset, exit 2
        byte[] all = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.vcap");
        Files.write(cut, Arrays.copyOf(all, all.length - 9));
        CliProcess bad = vigil("replay", cut.toString());
        assertThat(bad.waitFor(60)).isEqualTo(2);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).startsWith("vigil replay: capture " + cut + ": truncated").contains("byte offset")
                .doesNotContain("Exception");
        assertThat(bad.out().lines().count()).isGreaterThan(0);

        Path notACapture = Files.writeString(dir.resolve("x.txt"), "hello");
        CliProcess wrong = vigil("replay", notACapture.toString());
        assertThat(wrong.waitFor(60)).isEqualTo(2);
        assertThat(wrong.err().strip()).isEqualTo("vigil replay: capture " + notACapture + ": not a Vigil capture (bad magic: file too short) at byte offset 0");
    }
}
