package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** tcplife on loopback: a child sends 5000 bytes and reads 3000; both ends' lines carry their owner and bytes. */
class TcpLifeTest {
    @Test
    void bothEndsOfALoopbackConnectionWithOwnersAndBytes() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            // both families: a Java server socket is AF_INET6 (v4-mapped), bash's is AF_INET
            var tool = TcpLife.start(new TcpLife.Options(ToolFilters.NONE, 0, List.of(), List.of()));
            try (Collector<TcpLifeEvent> c = new Collector<>(tool, TcpLifeEvent::decode)) {
                // the client writes 5000 bytes, reads the 3000 the server sends, and exits (closing first)
                Process client = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port
                        + "; head -c 5000 /dev/zero >&3; head -c 3000 <&3 >/dev/null").start();
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    assertThat(in.readNBytes(5000)).hasSize(5000);
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[3000]);
                    out.flush();
                    assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(in.read()).isEqualTo(-1); // the client's FIN
                }
                TcpLifeEvent clientEnd = c.await(e -> e.rport() == port);
                assertThat(clientEnd.pid()).isEqualTo(client.pid());
                assertThat(clientEnd.comm()).isEqualTo("bash");
                // the kernel's counters (bytes_acked, bytes_received) include the SYN and FIN, as in libbpf-tools
                assertThat(clientEnd.txBytes()).isBetween(5000L, 5002L);
                assertThat(clientEnd.rxBytes()).isBetween(3000L, 3002L);
                assertThat(clientEnd.laddr()).isEqualTo("127.0.0.1");
                TcpLifeEvent serverEnd = c.await(e -> e.lport() == port);
                assertThat(serverEnd.pid()).isEqualTo(ProcessHandle.current().pid()); // LAST_ACK in this JVM's close()
                assertThat(serverEnd.rport()).isEqualTo(clientEnd.lport());
                assertThat(serverEnd.txBytes()).isBetween(3000L, 3002L);
                assertThat(serverEnd.rxBytes()).isBetween(5000L, 5002L);
                assertThat(serverEnd.spanUs()).isPositive();
                assertThat(tool.lost()).isZero();
            }
        }
    }
}
