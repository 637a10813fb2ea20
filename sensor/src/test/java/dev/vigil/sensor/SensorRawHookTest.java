package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The raw sys_exit hook (one program on every syscall's exit, filtering by number in the kernel) against the
 * default per-syscall tracepoints: both sensors run at once, real children make syscalls of every family, and
 * each child's events must be the same under both, field by field. Then a narrow selection: the raw hook runs
 * for every syscall, so the kernel-side filter alone decides what is reported.
 */
class SensorRawHookTest extends SharedSensorTest {
    static SensorHarness raw;

    @BeforeAll
    static void startRaw() {
        raw = new SensorHarness(Selection.all(), Sensor.Options.defaults().withSyscallHook(Sensor.SyscallHook.RAW));
    }

    @AfterAll
    static void stopRaw() throws Exception {
        if (raw != null) raw.close();
    }

    /** What a rule can see of an event, without the clocks (each sensor's program reads its own). */
    static String describe(Event e) {
        StringBuilder sb = new StringBuilder(e.type().falcoName()).append(" res=").append(e.rawRes());
        for (int i = 0; i < e.type().paramCount(); i++) {
            sb.append(' ').append(e.type().param(i).name()).append('=').append(e.argLong(i))
                    .append('/').append(Objects.toString(e.argStr(i), null));
        }
        // stdio the sensor did not see made is read from /proc/PID/fd when first asked for: each sensor asks at its
        // own moment (the process may have moved on or exited), so the two hooks' views of fds 0-2 may differ
        if (e.fd() != null && (e.fd().num() > 2 || e.fd().num() < 0)) {
            sb.append(" fd=").append(e.fd().num()).append(':').append(e.fd().type()).append(':').append(e.fd().name());
        }
        sb.append(" uid=").append(e.process().uid()).append(" comm=").append(e.process().name());
        return sb.toString();
    }

    static List<String> eventsOf(SensorHarness s, long pid) throws InterruptedException {
        s.await(ev -> SensorHarness.is(ev, EventType.PROCEXIT, pid)); // everything before the exit is in by then
        return s.events.stream().filter(ev -> ev.process() != null && ev.process().pid() == pid)
                .map(SensorRawHookTest::describe).collect(Collectors.toList());
    }

    @Test
    void reportsWhatTheTracepointsReport() throws Exception {
        Path d = Files.createDirectories(dir.resolve("raw"));
        List<String[]> commands = List.of(
                new String[] {"files", d.resolve("files").toString()},
                new String[] {"fileat", d.resolve("fileat").toString()},
                new String[] {"open-rel", d.toString(), "nope/missing.txt"},
                new String[] {"net", "4", d.toString()},
                new String[] {"net", "unix", d.toString()},
                new String[] {"creds"},
                new String[] {"signals"},
                new String[] {"exec", d.resolve("exec").toString()});
        for (String[] cmd : commands) {
            if (cmd.length > 1 && cmd[1].startsWith(d.toString())) Files.createDirectories(Path.of(cmd[1]));
            long pid = SensorHarness.run(cmd).pid();
            List<String> viaTracepoints = eventsOf(h, pid);
            List<String> viaRaw = eventsOf(raw, pid);
            assertThat(viaTracepoints).as(String.join(" ", cmd)).hasSizeGreaterThan(2);
            assertThat(viaRaw).as(String.join(" ", cmd)).containsExactlyElementsOf(viaTracepoints);
        }
    }

    @Test
    void reportsOnlyTheSelectedSyscalls() throws Exception {
        Path d = Files.createDirectories(dir.resolve("narrow"));
        Selection openOnly = Selection.of(EventType.OPENAT, EventType.PROCEXIT);
        try (SensorHarness narrow = new SensorHarness(openOnly,
                Sensor.Options.defaults().withSyscallHook(Sensor.SyscallHook.RAW))) {
            Path f = Files.writeString(d.resolve("x.txt"), "x");
            long pid = SensorHarness.run("files", d.toString()).pid(); // mkdir, rename, symlink, chmod, unlink, rmdir, dup2
            long opener = SensorHarness.run("open-rel", d.toString(), "x.txt").pid();
            narrow.await(ev -> SensorHarness.is(ev, EventType.PROCEXIT, opener));
            narrow.await(ev -> SensorHarness.is(ev, EventType.PROCEXIT, pid));
            List<EventType> types = narrow.events.stream().map(Event::type).distinct().toList();
            assertThat(types).containsOnly(EventType.OPENAT, EventType.PROCEXIT);
            assertThat(narrow.events).anyMatch(ev -> SensorHarness.is(ev, EventType.OPENAT, opener)
                    && ev.fd() != null && f.toString().equals(String.valueOf(ev.fd().name())));
        }
    }
}
