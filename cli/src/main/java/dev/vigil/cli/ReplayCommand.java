package dev.vigil.cli;

import dev.vigil.agent.Replay;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.events.EventType;
import dev.vigil.events.FdView;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.output.Json;
import dev.vigil.sensor.CaptureReader;
import dev.vigil.sensor.CapturedEvent;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints a capture file's events, one line each, or the alerts rules raise on them. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the events of a capture file written by 'vigil capture', one a line; with -r (or",
            "--alerts), run rules over them instead and print the alerts exactly as 'vigil run' would have (same",
            "config, outputs and formats; deterministic: a kept capture of an attack is a test of your rules).", "",
            "A truncated or corrupt file prints every complete event, then one line naming the offset (exit 2).", "",
            "Examples:",
            "  vigil replay out.vcap",
            "  vigil replay out.vcap --json                 # one JSON object a line",
            "  vigil replay out.vcap -r my_rules.yaml       # the alerts my rules raise on it",
            "  vigil replay out.vcap --alerts --json        # the configured (or bundled) rules, JSON alerts"})
final class ReplayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The capture file.")
    Path file;

    @Option(names = "--json", description = "One JSON object a line (events; with rules: JSON alerts, json_output=true).")
    boolean json;

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE", description = "Run these rules (file or directory, repeatable) and print alerts.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--alerts", description = "Run the configured rules (rules_files, else the bundled ones) and print alerts.")
    boolean alerts;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file, as for 'vigil run' (with rules).")
    Path configFile;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Override a config key, as for 'vigil run' (with rules).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file: " + file);
        if (alerts || !rules.isEmpty()) {
            // the run command's configuration, minus what only a live agent has
            List<String> o = new ArrayList<>(overrides);
            o.add("webserver.enabled=false");
            o.add("watch_config_files=false");
            AgentConfig cfg = RunCommand.config(configFile, o, rules, json);
            Replay.Result r = Replay.run(cfg, file, System.err);
            System.err.printf("vigil replay: %d events, %d alerts%s%n", r.events(), r.alerts(),
                    r.recordedDrops() > 0 ? "; the capture recorded " + r.recordedDrops() + " events dropped by the kernel" : "");
            return 0;
        }
        Writer out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16);
        StringBuilder line = new StringBuilder(256);
        try (CaptureReader reader = CaptureReader.open(file)) {
            try {
                reader.forEach(ev -> {
                    line.setLength(0);
                    if (json) json(line, ev);
                    else text(line, ev);
                    line.append('\n');
                    try {
                        out.append(line);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException closedStdout) {
                return 0; // e.g. piped into head
            } finally {
                try {
                    out.flush();
                } catch (IOException ignored) {
                    // stdout closed
                }
            }
            System.err.printf("vigil replay: %d events%s%n", reader.eventsRead(),
                    reader.drops() > 0 ? "; the capture recorded " + reader.drops() + " events dropped by the kernel" : "");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        return 0;
    }

    static void text(StringBuilder sb, CapturedEvent ev) {
        sb.append(Instant.ofEpochSecond(0, ev.timestamp())).append(' ');
        ProcessView p = ev.process();
        sb.append(ev.pid()).append(' ').append(p == null || p.name() == null ? "?" : p.name()).append(' ');
        EventType t = ev.type();
        sb.append(ev.num()).append(" < ").append(t.falcoName());
        for (int i = 0; i < t.paramCount(); i++) {
            CharSequence s = ev.argStr(i);
            long v = ev.argLong(i);
            if (s == null && v == CapturedEvent.ABSENT) continue;
            sb.append(' ').append(t.param(i).name()).append('=');
            if (s != null) sb.append(s);
            else sb.append(v);
        }
        FdView fd = ev.fd();
        if (fd != null && fd.name() != null) sb.append(" fd.name=").append(fd.name());
    }

    static void json(StringBuilder sb, CapturedEvent ev) {
        sb.append("{\"num\":").append(ev.num()).append(",\"time\":").append(ev.timestamp());
        sb.append(",\"type\":");
        str(sb, ev.type().falcoName());
        sb.append(",\"pid\":").append(ev.pid()).append(",\"tid\":").append(ev.tid());
        if (ev.rawRes() != CapturedEvent.ABSENT) sb.append(",\"res\":").append(ev.rawRes());
        ProcessView p = ev.process();
        if (p != null) {
            sb.append(",\"ppid\":").append(p.ppid()).append(",\"uid\":").append(p.uid());
            sb.append(",\"comm\":");
            str(sb, p.name());
            sb.append(",\"exepath\":");
            str(sb, p.exePath());
            sb.append(",\"cmdline\":");
            str(sb, p.cmdline());
            sb.append(",\"cwd\":");
            str(sb, p.cwd());
            ProcessView pp = p.parent();
            if (pp != null) {
                sb.append(",\"pcomm\":");
                str(sb, pp.name());
            }
        }
        if (ev.cgroupPath() != null) {
            sb.append(",\"cgroup\":");
            str(sb, ev.cgroupPath());
        }
        sb.append(",\"args\":{");
        EventType t = ev.type();
        boolean first = true;
        for (int i = 0; i < t.paramCount(); i++) {
            CharSequence s = ev.argStr(i);
            long v = ev.argLong(i);
            if (s == null && v == CapturedEvent.ABSENT) continue;
            if (!first) sb.append(',');
            first = false;
            str(sb, t.param(i).name());
            sb.append(':');
            if (s != null) str(sb, s);
            else sb.append(v);
        }
        sb.append('}');
        FdView fd = ev.fd();
        if (fd != null) {
            sb.append(",\"fd\":{\"num\":").append(fd.num()).append(",\"type\":");
            str(sb, fd.type() == null ? null : fd.type().falcoName());
            sb.append(",\"name\":");
            str(sb, fd.name());
            sb.append('}');
        }
        sb.append('}');
    }

    private static void str(StringBuilder sb, CharSequence s) {
        if (s == null) {
            sb.append("null");
        } else {
            Json.string(sb, s);
        }
    }
}
