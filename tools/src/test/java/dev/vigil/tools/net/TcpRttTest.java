package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.BpfTool;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tcprtt on 200 request/response round trips on loopback: with -P (the server's port) and -B the client's
 * samples land in one histogram for 127.0.0.1, with a loopback-sized average; the same run with -A of an
 * address nobody talks to counts nothing.
 */
class TcpRttTest {
    @Test
    void roundTripsOnLoopbackAreSampledForThatPeerOnly() throws Exception {
        KernelTests.assumeKernel();
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, lo)) {
            int port = server.getLocalPort();
            List<TcpRtt.Entry> seen;
            List<TcpRtt.Entry> elsewhere;
            try (BpfTool tool = TcpRtt.start(new TcpRtt.Options(0, port, null, null, TcpRtt.By.REMOTE, false));
                    BpfTool none = TcpRtt.start(new TcpRtt.Options(0, port, null, InetAddress.getByName("192.0.2.1"), TcpRtt.By.ALL, false))) {
                Thread echo = Thread.ofPlatform().start(() -> {
                    try (Socket s = server.accept()) {
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        DataOutputStream out = new DataOutputStream(s.getOutputStream());
                        for (int i = 0; i < 200; i++) {
                            out.writeInt(in.readInt());
                            out.flush();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (Socket c = new Socket(lo, port)) {
                    c.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    for (int i = 0; i < 200; i++) {
                        out.writeInt(i);
                        out.flush();
                        assertThat(in.readInt()).isEqualTo(i);
                    }
                }
                echo.join(60_000);
                assertThat(tool.variant()).isIn("kprobe", "tracepoint");
                seen = TcpRtt.drain(tool, TcpRtt.By.REMOTE);
                elsewhere = TcpRtt.drain(none, TcpRtt.By.ALL);
            }
            assertThat(seen).hasSize(1);
            TcpRtt.Entry e = seen.getFirst();
            assertThat(e.address()).isEqualTo("127.0.0.1");
            // the client received a segment per round trip (each response), each sampling srtt
            assertThat(e.count()).isGreaterThanOrEqualTo(100).isEqualTo(e.histogram().total());
            assertThat(e.average()).isNotNegative().isLessThan(1_000_000); // microseconds: a loopback RTT is far under 1 s
            assertThat(elsewhere).isEmpty();
        }
    }
}
