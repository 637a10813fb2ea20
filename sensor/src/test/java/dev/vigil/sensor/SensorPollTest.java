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
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * poll and ppoll carry their fd array (fdlist.*): a real helper connects to a loopback server, makes a pipe and
 * polls both; the events name the two fds from the process's fd table, the socket with both ends. Once with the
 * socket's syscalls traced (the table learned the fds from socket/connect), once with poll alone (the table fills
 * the fds it never saw from /proc: the link and the net tables).
 */
class SensorPollTest {
    @TempDir Path dir;

    @Test
    void pollNamesItsFdsFromTheTableTheSocketSyscallsFilled() throws Exception {
        check(List.of(EventType.POLL, EventType.PPOLL, EventType.SOCKET, EventType.CONNECT, EventType.PROCEXIT), null);
    }

    @Test
    void pollAloneNamesFdsItNeverSawMadeFromProc() throws Exception {
        check(List.of(EventType.POLL, EventType.PPOLL, EventType.PROCEXIT), null);
    }

    /** A capture keeps the fd array with what the table held for each fd: a replay reads the same fdlist.*. */
    @Test
    void aCaptureKeepsTheFdList() throws Exception {
        check(List.of(EventType.POLL, EventType.PPOLL, EventType.PROCEXIT), dir.resolve("poll.vcap"));
    }

    private static void check(List<EventType> types, Path capture) throws Exception {
        KernelTests.assumeKernel();
        assertThat(Selection.all().types()).doesNotContain(EventType.POLL, EventType.PPOLL); // every event loop polls: by name only
        SensorHarness.helper();
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
             SensorHarness h = new SensorHarness(Selection.of(types))) {
            CaptureWriter w = capture == null ? null
                    : CaptureWriter.create(capture, CaptureWriter.Meta.now(h.sensor.selection()), h.sensor.processTable());
            if (w != null) h.inspector = w::write; // on the reader thread, as `vigil capture` writes
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
                if (w != null) {
                    h.inspector = null;
                    Thread.sleep(100); // the reader's callback in flight, if any, is done with the writer
                    w.close();
                    int seen = 0;
                    List<CapturedEvent> replayed = new java.util.ArrayList<>();
                    try (CaptureReader r = CaptureReader.open(capture)) {
                        r.forEach(replayed::add);
                    }
                    {
                        for (CapturedEvent e : replayed) {
                            if (e.type() != EventType.POLL && e.type() != EventType.PPOLL || e.pid() != pid) continue;
                            seen++;
                            assertThat(e.fdListSize()).isEqualTo(2);
                            assertThat(e.fdListNum(0)).isEqualTo(sock);
                            assertThat(String.valueOf(e.fdListFd(0).name())).isEqualTo(tuple);
                            assertThat(e.fdListFd(0).serverPort()).isEqualTo(server.getLocalPort());
                            assertThat(e.fdListFd(1).type()).isEqualTo(FdType.PIPE);
                        }
                    }
                    assertThat(seen).as("poll and ppoll replayed").isEqualTo(2);
                }
            } finally {
                p.getOutputStream().close();
                p.waitFor();
            }
        }
    }
}
