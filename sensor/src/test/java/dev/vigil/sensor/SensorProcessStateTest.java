package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.ProcessView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process state rules read, from real processes: the environment an exec'd image got (proc.env), and the
 * process group and session followed through setsid, setpgid and a new terminal from script(1)
 * (proc.vpgid, proc.sid, proc.is_vpgid_leader, proc.is_sid_leader).
 */
class SensorProcessStateTest extends SharedSensorTest {

    static long start(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.pid();
    }

    static Event execOf(String exePath) throws InterruptedException {
        return h.await(e -> e.type() == EventType.EXECVE && e.process() != null
                && exePath.contentEquals(String.valueOf(e.process().exePath())));
    }

    static String envOf(ProcessView p, String name) {
        for (int i = 0; i < p.envCount(); i++) {
            String e = p.envEntry(i).toString();
            if (e.startsWith(name + "=")) return e.substring(name.length() + 1);
        }
        return null;
    }

    @Test
    void envIsTheEnvironmentTheImageGot() throws Exception {
        long pid = start(Map.of("VIGIL_ENV_MARK", "env-" + ProcessHandle.current().pid(), "HTTP_PROXY", "http://198.51.100.7:3128",
                "GLIBC_TUNABLES", "glibc.malloc.mxfast=0"), "/bin/sh", "-c", "exec /usr/bin/env -u HTTP_PROXY /bin/true");
        Event sh = h.await(e -> SensorHarness.is(e, EventType.EXECVE, pid) && "sh".contentEquals(e.process().name()));
        assertThat(envOf(sh.process(), "VIGIL_ENV_MARK")).isEqualTo("env-" + ProcessHandle.current().pid());
        assertThat(envOf(sh.process(), "HTTP_PROXY")).isEqualTo("http://198.51.100.7:3128");
        assertThat(envOf(sh.process(), "GLIBC_TUNABLES")).isEqualTo("glibc.malloc.mxfast=0");
        assertThat(sh.process().env().toString()).contains("VIGIL_ENV_MARK=env-").contains(" ");
        // the last image got the environment env(1) passed on: without HTTP_PROXY
        Event t = h.await(e -> SensorHarness.is(e, EventType.EXECVE, pid) && "true".contentEquals(e.process().name()));
        assertThat(envOf(t.process(), "HTTP_PROXY")).isNull();
        assertThat(envOf(t.process(), "GLIBC_TUNABLES")).isEqualTo("glibc.malloc.mxfast=0");
        // a fork keeps the parent's environment until it execs
        long forker = start(Map.of("VIGIL_ENV_FORK", "inherited"), "/bin/sh", "-c", "/bin/true & wait");
        Event clone = h.await(e -> e.type() == EventType.CLONE && e.process() != null && e.process().pid() == forker);
        assertThat(envOf(clone.process(), "VIGIL_ENV_FORK")).isEqualTo("inherited");
    }

    @Test
    void setsidMakesTheProcessItsSessionAndGroupLeader() throws Exception {
        long pid = start(Map.of(), "/usr/bin/setsid", "/bin/sh", "-c", "exec /bin/true"); // not a group leader: no fork
        Event t = h.await(e -> SensorHarness.is(e, EventType.EXECVE, pid) && "true".contentEquals(e.process().name()));
        ProcessView p = t.process();
        long jvmSid = ProcessHandle.current().pid();
        assertThat(p.sid()).isEqualTo(pid).isNotEqualTo(jvmSid);
        assertThat(p.pgid()).isEqualTo(pid);
        assertThat(p.vpgid()).isEqualTo(p.vpid());
        assertThat(p.sessionLeader()).isNotNull();
        assertThat(p.sessionLeader().pid()).isEqualTo(pid);
        assertThat(p.vpgidLeader().pid()).isEqualTo(pid);
    }

    @Test
    void setpgidAloneMakesAGroupNotASession() throws Exception {
        // perl's setpgrp is setpgid(0, 0): a new group in the JVM's session
        long pid = start(Map.of(), "/usr/bin/perl", "-e", "setpgrp(0, 0) or die; exec '/bin/true' or die");
        Event t = h.await(e -> SensorHarness.is(e, EventType.EXECVE, pid) && "true".contentEquals(e.process().name()));
        assertThat(t.process().pgid()).isEqualTo(pid);
        assertThat(t.process().vpgid()).isEqualTo(pid);
        assertThat(t.process().sid()).isNotEqualTo(pid);
        // the events before the exec (perl's, still in the JVM's group) carried the old group
        List<Long> groups = new ArrayList<>();
        h.events.stream().filter(e -> e.process() != null && e.process().pid() == pid).forEach(e -> groups.add(e.process().pgid()));
        assertThat(groups).contains(pid).anyMatch(g -> g != pid);
    }

    @Test
    void aCommandOnANewTerminalLeadsItsGroupAndSession() throws Exception {
        // Falco's "Basic Interactive Reconnaissance" case: script's child takes a new session and terminal, the
        // shell execs the command, which leads its group (proc.is_vpgid_leader) with a tty
        long pid = start(Map.of(), "/usr/bin/script", "-qefc", "exec /usr/bin/whoami", "/dev/null");
        Event w = h.await(e -> e.type() == EventType.EXECVE && e.process() != null && "whoami".contentEquals(e.process().name())
                && e.process().ppid() == pid);
        ProcessView p = w.process();
        assertThat(p.tty()).isNotZero();
        assertThat(p.vpgid()).isEqualTo(p.vpid());
        assertThat(p.sid()).isEqualTo(p.pid());
        assertThat(p.sessionLeader().name().toString()).isEqualTo("whoami");
    }

    @Test
    void theExecutablesInodeTimesAndLayer() throws Exception {
        // a copy of true with a known modification time; not on overlayfs here: neither layer
        java.nio.file.Path exe = java.nio.file.Files.copy(java.nio.file.Path.of("/bin/true"), dir.resolve("vigil-true-" + ProcessHandle.current().pid()));
        long mtime = 1_600_000_000_123_000_000L;
        java.nio.file.Files.setLastModifiedTime(exe, java.nio.file.attribute.FileTime.from(java.time.Instant.ofEpochSecond(0, mtime)));
        long ctime = ((java.nio.file.attribute.FileTime) java.nio.file.Files.getAttribute(exe, "unix:ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long pid = start(Map.of(), exe.toString());
        Event e = h.await(ev -> SensorHarness.is(ev, EventType.EXECVE, pid) && exe.toString().contentEquals(String.valueOf(ev.process().exePath())));
        assertThat(e.process().exeInoMtime()).isEqualTo(mtime);
        // exactly stat's (6.13+ keeps a flag in the nanoseconds' top bit: it read 2^31 ns late before it was masked)
        assertThat(e.process().exeInoCtime()).isEqualTo(ctime);
        assertThat(e.process().exeUpperLayer()).isFalse();
        assertThat(e.process().exeLowerLayer()).isFalse();
        assertThat(e.process().exeWritable()).isTrue(); // root: CAP_DAC_OVERRIDE
    }
}
