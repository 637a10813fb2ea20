package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.sensor.CaptureWriter;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil replay FILE -r RULES} gives the alerts the live run gave: an agent and a capturing sensor watch the
 * same real actions at once, then the capture is replayed through {@link Replay} with the agent's configuration.
 * The alerts must be the same, field by field (each sensor reads its own clock, so event times and numbers are
 * left out of the comparison).
 */
class ReplayTest {
    static final String MARK = "vigilreplay" + UUID.randomUUID().toString().substring(0, 8);
    @TempDir Path dir;

    @Test
    void aReplayOfTheCaptureRaisesTheLiveRunsAlerts() throws Exception {
        KernelTests.assumeKernel();
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                - rule: Marked exec
                  desc: a process run with the mark
                  condition: evt.type=execve and proc.cmdline contains %1$s
                  output: exec %%proc.cmdline by %%proc.pname sid_leader=%%proc.is_sid_leader vpgid=%%proc.vpgid env=%%proc.env[VIGIL_REPLAY] tty=%%proc.tty
                  priority: WARNING
                - rule: Marked file
                  desc: a file with the mark opened for writing
                  condition: evt.type in (open, openat) and fd.name contains %1$s and evt.is_open_write=true
                  output: wrote %%fd.name by %%proc.name parent=%%proc.pname gparent=%%proc.aname[2] user=%%user.name
                  priority: NOTICE
                - rule: Marked move
                  desc: a rename whose target has the mark
                  condition: evt.type in (rename, renameat, renameat2) and fs.path.target contains %1$s
                  output: moved %%fs.path.source to %%fs.path.target (%%proc.name)
                  priority: NOTICE
                - rule: Marked directory
                  desc: a directory made with the mark
                  condition: evt.type in (mkdir, mkdirat) and fs.path.name contains %1$s
                  output: made %%fs.path.name (%%proc.name)
                  priority: NOTICE
                - rule: Marked environment
                  desc: the environment carries the mark
                  condition: evt.type=execve and proc.env[VIGIL_REPLAY]=%1$s and proc.name=true
                  output: env %%proc.env[VIGIL_REPLAY] exe=%%proc.exepath
                  priority: ERROR
                """.formatted(MARK));
        Path live = dir.resolve("live.json"), replayed = dir.resolve("replayed.json"), capture = dir.resolve("c.vcap");
        AgentConfig cfg = AlertFile.agentWritingTo(live).override("rules_files=[" + rules + "]").override("rule_matching=all").build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true));
             Sensor sensor = Sensor.start(Selection.of(agent.selectedTypes()))) {
            CaptureWriter w = CaptureWriter.create(capture, CaptureWriter.Meta.now(sensor.selection()), sensor.processTable());
            Thread t = Thread.ofPlatform().start(() -> sensor.run(w::write));
            Path f = dir.resolve(MARK + ".txt");
            sh(Path.of("/usr/bin/script"), "-qefc", "echo " + MARK + " > " + f + "; exec /bin/true " + MARK, "/dev/null");
            sh(Path.of("/usr/bin/setsid"), "/bin/sh", "-c", "cat /dev/null " + MARK + "; VIGIL_REPLAY=" + MARK + " /bin/true");
            // relative paths: fs.path.* are resolved against the cwd
            sh(Path.of("/bin/sh"), "-c", "cd " + dir + " && mkdir " + MARK + "-d && mv " + MARK + ".txt " + MARK + "-d/moved");
            JsonNode mv = AlertFile.await(live, "Marked move", x -> true);
            assertThat(mv.path("output_fields").path("fs.path.source").asText()).isEqualTo(f.toString());
            assertThat(mv.path("output_fields").path("fs.path.target").asText()).isEqualTo(dir.resolve(MARK + "-d/moved").toString());
            JsonNode mk = AlertFile.await(live, "Marked directory", x -> true);
            assertThat(mk.path("output_fields").path("fs.path.name").asText()).isEqualTo(dir.resolve(MARK + "-d").toString());
            AlertFile.await(live, "Marked environment", x -> true);
            AlertFile.await(live, "Marked file", x -> true);
            AlertFile.await(live, "Marked exec", x -> x.path("proc.cmdline").asText().contains("/bin/true " + MARK));
            sensor.stop();
            t.join(10_000);
            w.close();
        }
        AgentConfig replayCfg = AlertFile.agentWritingTo(replayed).override("rules_files=[" + rules + "]").override("rule_matching=all").build();
        Replay.Result r = Replay.run(replayCfg, capture, new PrintStream(System.err, true));
        assertThat(r.events()).isPositive();
        List<String> liveAlerts = comparable(live), replayAlerts = comparable(replayed);
        assertThat(liveAlerts).hasSizeGreaterThanOrEqualTo(6);
        assertThat(replayAlerts).containsExactlyElementsOf(liveAlerts);
    }

    /** The marked alerts, without what each sensor's own clock and counter decide. */
    static List<String> comparable(Path file) throws Exception {
        return AlertFile.read(file).stream().filter(a -> a.path("output").asText().contains(MARK)).map(a -> {
            ObjectNode c = a.deepCopy();
            c.remove("time");
            ObjectNode f = (ObjectNode) c.path("output_fields");
            f.remove("evt.time");
            f.remove("evt.num");
            String out = c.path("output").asText();
            c.put("output", out.substring(out.indexOf(' ') + 1)); // the leading time
            return c.toString();
        }).toList();
    }

    static void sh(Path exe, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
}
