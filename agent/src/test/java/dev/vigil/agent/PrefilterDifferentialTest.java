package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.load.RuleLoader;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import dev.vigil.sensor.SensorEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefilter changes no alert (issue #17): two sensors on the same real activity, one without the prefilter
 * and one with the one the agent derives, each judged by its own copy of the same rules, give the same alerts, for
 * the agent's defaults (stable rules and Vigil's correlations) and the three upstream rule files. The kernel's
 * verdict on each open also equals the Java mirror's on the unfiltered copy. The activity (a cgroup of this test's
 * own, so nothing else is seen): sensitive reads, directory traversal, failing opens, writes of logs and below
 * /etc, directory listings, a loop of ordinary opens, shells, a socket written to, a reverse shell, and the
 * fd-reuse traps (a socket's fd number reused by an open the prefilter drops, then dup2'd onto stdio or sent to):
 * with the successful opens dropped, a parser that trusted its table there would raise false reverse shells.
 */
class PrefilterDifferentialTest {
    @TempDir Path dir;

    static String read(Path p) throws Exception { return Files.readString(p); }

    /** The upstream rule files, in /work/shared/falco-rules: found from a checkout at any depth below /work. */
    static Path rules(String name) {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/falco-rules").resolve(name);
            if (Files.exists(p)) return p;
        }
        return Path.of("/work/shared/falco-rules").resolve(name);
    }

    /** The agent's defaults: the bundled stable rules and Vigil's correlations, as `vigil run` loads them. */
    @Test
    void defaults() throws Exception { differential(() -> Agent.dryRun(AgentConfig.defaults()), true, true); }

    @Test
    void stable() throws Exception { differential(() -> upstream(List.of("falco_rules.yaml")), true, false); }

    @Test
    void incubating() throws Exception { differential(() -> upstream(List.of("falco_rules.yaml", "falco-incubating_rules.yaml")), false, false); }

    @Test
    void sandbox() throws Exception {
        differential(() -> upstream(List.of("falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml")), false, false);
    }

    /** A rule set per side: correlations keep state, and evaluation is single-threaded. */
    interface Rules { RuleSet load() throws Exception; }

    private static RuleSet upstream(List<String> files) throws Exception {
        List<RuleLoader.Source> src = new ArrayList<>();
        for (String f : files) src.add(new RuleLoader.Source(f, read(rules(f))));
        return RuleLoader.load(src, Agent.engineOptions(AgentConfig.defaults())).ruleSet().enable("*");
    }

    /** One side: a sensor, its alerts ("rule: output") and its open records (tid, raw path, flags, result). */
    record Side(Sensor sensor, List<String> alerts, List<String> opens, Set<String> execArgs, Thread reader) {}

    private void differential(Rules rules, boolean stableOnly, boolean correlations) throws Exception {
        KernelTests.assumeKernel();
        RuleSet rs = rules.load();
        Set<EventType> selected = EnumSet.noneOf(EventType.class);
        for (EventType t : rs.requiredEventTypes()) {
            try {
                Selection.of(t);
                if (Sensor.availableHere(t)) selected.add(t);
            } catch (IllegalArgumentException e) {
                // not capturable: the agent reports it so
            }
        }
        Prefilter p = Agent.prefilterOf(rs, selected, Set.of(), AgentConfig.defaults());
        assertThat(p.byType()).as("the open family is filtered").containsKey(EventType.OPENAT);

        Path v2 = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int sep = line.indexOf(" - ");
            if (sep > 0 && line.substring(sep + 3).startsWith("cgroup2 ")) v2 = Path.of(line.split(" ")[4]);
        }
        assertThat(v2).as("a cgroup v2 mount").isNotNull();
        Path cg = Files.createDirectories(v2.resolve("vigil-test-prefilter-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        long cgId = (Long) Files.getAttribute(cg, "unix:ino");
        Path etcFile = Path.of("/etc/vigil-test-prefilter-" + ProcessHandle.current().pid());
        Side a = null, b = null;
        long unfilteredDrops = -1;
        java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        List<java.net.Socket> accepted = Collections.synchronizedList(new ArrayList<>());
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) accepted.add(listener.accept()); // held open: the shells' ends stay connected
            } catch (java.io.IOException e) {
                // closed at the end
            }
        });
        int port = listener.getLocalPort();
        String tcp = "/dev/tcp/127.0.0.1/" + port;
        try {
            a = side(rs, selected, cgId, null);
            b = side(rules.load(), selected, cgId, p);
            Files.writeString(dir.resolve("plain"), "p");
            String d = dir.toString();
            String[] cmds = {
                "head -c1 /etc/shadow",
                "head -c1 /tmp/../../etc/shadow",
                "cat /tmp/../../etc/nonexistent-vigil-test",
                "cat /etc/passwd",
                "cat /nonexistent-vigil-test",
                "ls /etc /root/.ssh " + d,
                "sh -c 'echo x > " + d + "/app.log; echo y >> " + d + "/app.log; : > " + d + "/app.log'",
                "touch " + etcFile,
                "dd if=/dev/zero of=" + d + "/zero bs=1 count=1",
                "find /etc -maxdepth 1 -name passwd",
                "sh -c 'i=0; while [ $i -lt 200 ]; do cat " + d + "/plain " + d + "/nope 2>/dev/null; i=$((i+1)); done'",
                "head -c1 /root/.ssh/authorized_keys",
                "sh -c 'cd /etc && cat ./hostname ../etc/passwd >/dev/null'",
                // shells and sockets: a connection written to and closed, a listing by a shell
                "bash -c 'exec 3<>" + tcp + "; echo x >&3; exec 3<&-; ls /root >/dev/null'",
                // a reverse shell: connect, the socket dup2'd onto stdin and stdout, then a shell
                "bash -c 'exec 3<>" + tcp + "; exec 0<&3 1>&3; exec sh -c \"echo reverse\"'",
                // not one: the socket closed, its fd number reused by an open of an ordinary file (which the
                // prefilter drops), that file dup2'd onto stdin, then a shell. A table that kept the socket for
                // fd 3 would see a socket on stdin (a false reverse shell) where the unfiltered side sees a file.
                "bash -c 'exec 3<>" + tcp + "; exec 3<&-; exec 3</etc/hostname; exec 0<&3; exec sh -c true'",
                "bash -c 'exec 3<>" + tcp + "; exec 3<&-; exec 3</etc/hostname; exec 4<&3; exec 1>&4; exec sh -c true'",
                // the same reuse seen by a socket call: a sendto on the file fails with ENOTSOCK
                "python3 -c 'import socket,os,ctypes; s=socket.create_connection((\"127.0.0.1\"," + port + ")); n=s.detach(); os.close(n); "
                        + "f=os.open(\"/etc/hostname\",0); assert f==n; ctypes.CDLL(None,use_errno=True).sendto(f,b\"x\",1,0,None,0); "
                        + "os.dup2(f,0); os.execvp(\"sh\",[\"sh\",\"-c\",\"true\"])'",
            };
            for (String c : cmds) {
                // the shell moves itself into the cgroup, then becomes the command (its parent: this JVM, not a shell)
                Process pr = new ProcessBuilder("sh", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + " && exec " + c)
                        .redirectErrorStream(true).start();
                pr.getInputStream().readAllBytes();
                assertThat(pr.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            String marker = "vigil-prefilter-marker-" + System.nanoTime();
            Process m = new ProcessBuilder("sh", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + " && exec true " + marker).start();
            assertThat(m.waitFor(10, TimeUnit.SECONDS)).isTrue();
            await(a, marker);
            await(b, marker);
            unfilteredDrops = a.sensor().droppedTotal();
        } finally {
            listener.close();
            acceptor.join(5_000);
            for (java.net.Socket so : accepted) so.close();
            for (Side s : new Side[] {a, b}) {
                if (s == null) continue;
                s.sensor().stop();
                s.reader().join(10_000);
                s.sensor().close();
            }
            Files.deleteIfExists(etcFile);
            Files.deleteIfExists(cg);
        }
        assertThat(unfilteredDrops).as("no drops on the unfiltered side").isZero();
        assertThat(b.alerts()).as("alerts with the prefilter").containsExactlyInAnyOrderElementsOf(a.alerts());
        assertThat(a.alerts()).as("the activity raised alerts").isNotEmpty();
        if (stableOnly) {
            assertThat(a.alerts()).anyMatch(s -> s.startsWith("Read sensitive file untrusted:"))
                    .anyMatch(s -> s.startsWith("Directory traversal monitored file read:"));
        }
        if (correlations) {
            // the one reverse shell, not the two whose stdin or stdout became a file on a socket's old fd number
            assertThat(a.alerts()).filteredOn(s -> s.startsWith("Reverse Shell:")).hasSize(1);
        }
        // the kernel filtered what its Java mirror rejects, and only that
        List<String> expected = new ArrayList<>();
        for (String o : a.opens()) {
            String[] f = o.split("\t", -1);
            EventType t = EventType.byName(f[0]);
            if (p.filter(t).passes(f[2].equals("null") ? null : f[2], Long.parseLong(f[3]), Long.parseLong(f[4]))) expected.add(o);
        }
        assertThat(b.opens()).as("opens through the prefilter = the mirror's verdicts on the unfiltered stream").isEqualTo(expected);
        assertThat(b.opens().size()).as("the prefilter dropped opens").isLessThan(a.opens().size());
    }

    private static Side side(RuleSet rs, Set<EventType> selected, long cgId, Prefilter p) {
        Sensor s = Sensor.start(Selection.of(selected));
        s.filterCgroups(List.of(cgId));
        if (p != null) s.installPrefilter(p);
        List<String> alerts = Collections.synchronizedList(new ArrayList<>());
        List<String> opens = Collections.synchronizedList(new ArrayList<>());
        Set<String> execArgs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread t = Thread.ofPlatform().name("prefilter-diff").start(() -> s.run(ev -> {
            if (!descendant(ev.process())) return; // events from before the cgroup filter was in
            rs.evaluate(ev, new dev.vigil.rules.engine.AlertSink() {
                @Override public void onMatch(dev.vigil.rules.engine.CompiledRule r, dev.vigil.events.EventView e) {
                    alerts.add(r.name() + ": " + r.formatOutput(e));
                }

                @Override public void onCorrelation(dev.vigil.rules.correlation.Correlation c, dev.vigil.rules.output.Alert al,
                                                    dev.vigil.events.EventView e) {
                    // (without the time: each side's kernel program stamps its own record)
                    alerts.add(c.name() + ": " + al.output().replaceFirst("^[0-9:.]+: ", ""));
                }
            });
            if (ev.type().isOpen()) opens.add(open(ev));
            if (ev.type() == EventType.EXECVE && ev.process() != null) execArgs.add(String.valueOf(ev.process().args()));
        }));
        return new Side(s, alerts, opens, execArgs, t);
    }

    static boolean descendant(dev.vigil.events.ProcessView p) {
        long jvm = ProcessHandle.current().pid();
        for (int i = 0; i < 64 && p != null; i++, p = p.parent()) if (p.ppid() == jvm) return true;
        return false;
    }

    /** type, tid, raw path, flags, result: what the kernel filter reads. */
    private static String open(SensorEvent ev) {
        EventType t = ev.type();
        long flags = t == EventType.CREAT ? 01101 : ev.argLong(t.slotOf("flags"));
        return t.falcoName() + "\t" + ev.process().tid() + "\t" + (ev.fd() == null ? null : ev.fd().nameRaw()) + "\t" + flags + "\t" + ev.rawRes();
    }

    private static void await(Side s, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (s.execArgs().stream().anyMatch(a -> a.contains(marker))) return;
            Thread.sleep(10);
        }
        throw new AssertionError("the marker exec did not arrive");
    }
}
