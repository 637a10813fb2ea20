package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * poll and ppoll carry their fd array (fdlist.*): a real helper connects to a loopback server, makes a pipe and
 * polls both; the events name the two fds from the process's fd table, the socket with both ends. Once with the
 * socket's syscalls traced (the table learned the fds from socket/connect), once with poll alone (the table fills
 * the fds it never saw from /proc: the link and the net tables).
 */
class SensorPollTest {
    @Test
    void pollNamesItsFdsFromTheTableTheSocketSyscallsFilled() throws Exception {
        check(List.of(EventType.POLL, EventType.PPOLL, EventType.SOCKET, EventType.CONNECT, EventType.PROCEXIT));
    }

    @Test
    void pollAloneNamesFdsItNeverSawMadeFromProc() throws Exception {
        check(List.of(EventType.POLL, EventType.PPOLL, EventType.PROCEXIT));
    }

    private static void check(List<EventType> types) throws Exception {
        KernelTests.assumeKernel();
        assertThat(Selection.all().types()).doesNotContain(EventType.POLL, EventType.PPOLL); // every event loop polls: by name only
        SensorHarness.helper();
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             SensorHarness h = new SensorHarness(Selection.of(types))) {
            Process p = new ProcessBuilder(SensorHarness.helper().toString(), "poll", Integer.toString(server.getLocalPort())).start();
            try {
                String[] o = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine().strip().split(" ");
                long pid = p.pid();
                int sock = Integer.parseInt(o[0]), cport = Integer.parseInt(o[1]), pipeRead = Integer.parseInt(o[2]);
                String tuple = "127.0.0.1:" + cport + "->127.0.0.1:" + server.getLocalPort();
                for (EventType t : List.of(EventType.POLL, EventType.PPOLL)) {
                    Event e = h.await(ev -> SensorHarness.is(ev, t, pid), 10);
                    assertThat(e.rawRes()).as(t.falcoName()).isEqualTo(2); // both ready: the socket writable, the pipe readable
                    assertThat(e.fdListSize()).isEqualTo(2);
                    assertThat(e.fdListNum(0)).isEqualTo(sock);
                    assertThat(e.fdListNum(1)).isEqualTo(pipeRead);
                    FdView s = e.fdListFd(0), r = e.fdListFd(1);
                    assertThat(s).as("the socket").isNotNull();
                    assertThat(String.valueOf(s.name())).isEqualTo(tuple);
                    assertThat(s.clientPort()).isEqualTo(cport);
                    assertThat(s.serverPort()).isEqualTo(server.getLocalPort());
                    assertThat(s.type()).isEqualTo(FdType.IPV4);
                    assertThat(r).as("the pipe").isNotNull();
                    assertThat(r.type()).isEqualTo(FdType.PIPE);
                    assertThat(String.valueOf(r.name())).startsWith("pipe:[");
                    // Falco's rendering of the argument: fd, type character, returned events in hex (POLLOUT 4, POLLIN 1)
                    assertThat(String.valueOf(e.argStr(e.type().slotOf("fds")))).isEqualTo(sock + ":44 " + pipeRead + ":p1");
                }
            } finally {
                p.getOutputStream().close();
                p.waitFor();
            }
        }
    }
}
