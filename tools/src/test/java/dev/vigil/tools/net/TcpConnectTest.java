package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** tcpconnect on loopback: a child connects, the record names it, its ports and addresses. */
class TcpConnectTest {
    static Process connect(int port) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " 2>/dev/null; exit 0").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void aChildsConnectsWithSourcePortsIncludingARefusedOne() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket closed = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            int refusedPort = closed.getLocalPort();
            closed.close(); // nothing listens there now: the connect is refused
            var tool = TcpConnect.start(new TcpConnect.Options(ToolFilters.NONE, true, List.of(port, refusedPort)));
            try (Collector<TcpEvent> c = new Collector<>(tool, TcpEvent::decode)) {
                Process child = connect(port);
                int clientPort;
                try (Socket accepted = server.accept()) {
                    clientPort = accepted.getPort();
                }
                TcpEvent e = c.await(ev -> ev.rport() == port);
                assertThat(e.pid()).isEqualTo(child.pid());
                assertThat(e.comm()).isEqualTo("bash");
                assertThat(e.laddr()).isEqualTo("127.0.0.1");
                assertThat(e.raddr()).isEqualTo("127.0.0.1");
                assertThat(e.lport()).isEqualTo(clientPort);
                assertThat(e.ipVersion()).isEqualTo(4);
                assertThat(e.uid()).isZero();

                Process refused = connect(refusedPort);
                TcpEvent r = c.await(ev -> ev.rport() == refusedPort);
                assertThat(r.pid()).isEqualTo(refused.pid());
                assertThat(r.lport()).isPositive();
                assertThat(tool.variant()).isIn("kprobe", "tracepoint");
                assertThat(tool.lost()).isZero();
            }
        }
    }

    @Test
    void portAndPidFiltersExclude() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var tool = TcpConnect.start(new TcpConnect.Options(ToolFilters.NONE, false, List.of(b.getLocalPort())));
            try (Collector<TcpEvent> c = new Collector<>(tool, TcpEvent::decode)) {
                connect(a.getLocalPort());
                connect(b.getLocalPort());
                c.await(ev -> ev.rport() == b.getLocalPort()); // in order on one CPU's ring: a came first if at all
                assertThat(c.events()).noneMatch(ev -> ev.rport() == a.getLocalPort());
            }
        }
        assertThatThrownBy(() -> Ports.parse("-P", "80,x")).hasMessage("-P 80,x: 'x' is not a port (1-65535)");
        assertThatThrownBy(() -> Ports.parse("-P", "70000")).hasMessageContaining("not a port");
    }
}
