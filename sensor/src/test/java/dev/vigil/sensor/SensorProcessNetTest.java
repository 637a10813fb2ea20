package dev.vigil.sensor;

import static dev.vigil.sensor.SensorHarness.is;
import static dev.vigil.sensor.SensorHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import dev.vigil.events.ProcessView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network syscalls and the process table, with real children. */
class SensorProcessNetTest {
    static SensorHarness h;
    static Process before;
    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        SensorHarness.helper();
        // alive for the whole class (ended in stop()): a loaded machine took longer than 3 s to reach the last test
        before = new ProcessBuilder(SensorHarness.helper().toString(), "sleep", "600000").start();
        Thread.sleep(100);
        h = new SensorHarness(Selection.of(EventType.OPEN, EventType.OPENAT, EventType.CONNECT, EventType.ACCEPT4,
                EventType.ACCEPT, EventType.SOCKET, EventType.EXECVE, EventType.EXECVEAT, EventType.CLONE,
                EventType.PROCEXIT, EventType.PRCTL, EventType.MEMFD_CREATE));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) h.close();
        if (before != null) before.destroy();
    }

    @Test
    void connectIpv4Loopback() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            var r = run("connect4", String.valueOf(ss.getLocalPort()));
            Event e = h.await(ev -> is(ev, EventType.CONNECT, r.pid()));
            assertThat(e.rawRes()).isZero();
            assertThat(e.fd().type()).isEqualTo(FdType.IPV4);
            assertThat(e.fd().serverPort()).isEqualTo(ss.getLocalPort());
            assertThat(e.fd().name().toString()).startsWith("127.0.0.1:").endsWith("->127.0.0.1:" + ss.getLocalPort());
            assertThat(e.argStr(EventType.CONNECT.slotOf("addr")).toString()).isEqualTo("127.0.0.1:" + ss.getLocalPort());
        }
    }

    @Test
    void connectIpv6Loopback() throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            var r = run("connect6", String.valueOf(ss.getLocalPort()));
            Event e = h.await(ev -> is(ev, EventType.CONNECT, r.pid()));
            assertThat(e.rawRes()).isZero();
            assertThat(e.fd().type()).isEqualTo(FdType.IPV6);
            assertThat(e.fd().name().toString()).endsWith("->::1:" + ss.getLocalPort());
        }
    }

    @Test
    void connectRefusedIsECONNREFUSED() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        var r = run("connect4", String.valueOf(port));
        Event e = h.await(ev -> is(ev, EventType.CONNECT, r.pid()));
        assertThat(e.rawRes()).isEqualTo(-111);
    }

    @Test
    void connectUnix() throws Exception {
        Path sock = dir.resolve("s.sock");
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(sock));
            var r = run("connect-unix", sock.toString());
            Event e = h.await(ev -> is(ev, EventType.CONNECT, r.pid()));
            assertThat(e.rawRes()).isZero();
            assertThat(e.fd().type()).isEqualTo(FdType.UNIX);
            assertThat(e.fd().name().toString()).isEqualTo(sock.toString());
        }
    }

    @Test
    void acceptIpv4() throws Exception {
        Process p = new ProcessBuilder(SensorHarness.helper().toString(), "accept4").start();
        int port = Integer.parseInt(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine().trim());
        int clientPort;
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            clientPort = c.getLocalPort();
        }
        p.waitFor();
        Event e = h.await(ev -> is(ev, EventType.ACCEPT4, p.pid()));
        assertThat(e.rawRes()).isGreaterThanOrEqualTo(3);
        assertThat(e.fd().name().toString()).isEqualTo("127.0.0.1:" + clientPort + "->127.0.0.1:" + port);
        assertThat(e.fd().clientPort()).isEqualTo(clientPort);
    }

    @Test
    void ancestryFourLevelsDeep() throws Exception {
        Path marker = Files.writeString(dir.resolve("tree-marker"), "x");
        var r = run("tree", "4", marker.toString());
        long leaf = Long.parseLong(r.lines().getFirst().trim());
        Event e = h.await(ev -> SensorFileTest.opened(ev, leaf, marker.toString()));
        ProcessView p = e.process();
        for (int i = 0; i < 4; i++) {
            assertThat(p.parent()).as("ancestor " + (i + 1)).isNotNull();
            assertThat(p.parent().name().toString()).isEqualTo("sensor_helper");
            p = p.parent();
        }
        assertThat(p.pid()).isEqualTo(r.pid());
        assertThat(p.ppid()).isEqualTo(SensorHarness.JVM);
        Event fork = h.await(ev -> ev.type() == EventType.CLONE && ev.rawRes() == leaf);
        assertThat(fork.process().pid()).isEqualTo(e.process().ppid());
    }

    @Test
    void reparentedAfterParentExits() throws Exception {
        Path marker = Files.writeString(dir.resolve("orphan-marker"), "x");
        // The orphan's line ("pid ppid") rarely never arrives under CI load (seen once in a full run, not
        // reproduced alone): the helper is run again then, so a harness hiccup is not taken for a sensor bug;
        // what is asserted below is unchanged.
        Process p = null;
        long child = 0;
        String second = null;
        for (int attempt = 0; attempt < 3 && second == null; attempt++) {
            p = new ProcessBuilder(SensorHarness.helper().toString(), "orphan", marker.toString()).start();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String first = in.readLine();
            if (first == null) {
                continue;
            }
            child = Long.parseLong(first.trim());
            second = in.readLine();
        }
        assertThat(second).as("the orphan reported its new parent").isNotNull();
        String[] line = second.trim().split(" ");
        long newParent = Long.parseLong(line[1]);
        final Process parent = p;
        // the orphan's open: it is no longer our descendant, so look it up in the table directly
        long deadline = System.nanoTime() + 5_000_000_000L;
        ProcessEntry e = null;
        while (System.nanoTime() < deadline) {
            Event exit = h.events.stream().filter(ev -> is(ev, EventType.PROCEXIT, parent.pid())).findFirst().orElse(null);
            if (exit != null) {
                assertThat(exit.argLong(EventType.PROCEXIT.slotOf("reaper_tid"))).isEqualTo(newParent);
                e = h.sensor.processTable().get(child);
                break;
            }
            Thread.sleep(10);
        }
        assertThat(e).as("exit of the parent seen").isNotNull();
        Thread.sleep(100);
        assertThat(e.ppid()).isEqualTo(newParent);
    }

    @Test
    void prctlRenameFollowed() throws Exception {
        Path marker = Files.writeString(dir.resolve("rename-marker"), "x");
        var r = run("rename", "vigil-renamed", marker.toString());
        Event e = h.await(ev -> SensorFileTest.opened(ev, r.pid(), marker.toString()));
        assertThat(e.process().name().toString()).isEqualTo("vigil-renamed");
        Event pr = h.await(ev -> is(ev, EventType.PRCTL, r.pid()) && ev.argLong(EventType.PRCTL.slotOf("option")) == 15);
        assertThat(pr.argStr(EventType.PRCTL.slotOf("arg2_str")).toString()).isEqualTo("vigil-renamed");
    }

    @Test
    void execFromMemfd() throws Exception {
        var r = run("memfd-exec", "/bin/echo", "hello");
        assertThat(r.out()).contains("hello");
        Event m = h.await(ev -> is(ev, EventType.MEMFD_CREATE, r.pid()));
        assertThat(m.argStr(EventType.MEMFD_CREATE.slotOf("name")).toString()).isEqualTo("vigil-memfd");
        // execveat(memfd, "", AT_EMPTY_PATH), as runc and fexecve do it
        Event e = h.await(ev -> ev.type() == EventType.EXECVEAT && ev.process().pid() == r.pid()
                && "memfd-child".equals(String.valueOf(ev.process().exe())));
        assertThat(e.process().exeFromMemfd()).as("exepath " + e.process().exePath() + " / " + e).isTrue();
        // Falco's form: no leading slash, no " (deleted)" (the stable rules compare "memfd:runc_cloned:/proc/self/exe")
        assertThat(e.process().exePath().toString()).isEqualTo("memfd:vigil-memfd");
        // the container (identity only by default): this sandbox's /process_api/<hex> cgroup is not a container
        assertThat(e.container()).isNotNull();
        assertThat(e.container().isHost()).as(String.valueOf(e.container().id())).isTrue();
        assertThat(e.process().args().toString()).isEqualTo("hello");
    }

    @Test
    void processStartedBeforeTheSensor() {
        ProcessEntry e = h.sensor.processTable().get(before.pid());
        assertThat(e).isNotNull();
        assertThat(e.name().toString()).isEqualTo("sensor_helper");
        assertThat(e.args().toString()).isEqualTo("sleep 600000");
        assertThat(e.parent().pid()).isEqualTo(SensorHarness.JVM);
    }
}
