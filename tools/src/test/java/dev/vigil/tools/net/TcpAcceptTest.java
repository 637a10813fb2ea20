package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** tcpaccept on loopback: the accepting process is named, not the client whose packets completed the handshake. */
class TcpAcceptTest {
    @Test
    void anAcceptInThisJvmNamesThisJvmAndBothEnds() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            var tool = TcpAccept.start(new TcpAccept.Options(new ToolFilters((int) ProcessHandle.current().pid(), null, null, null),
                    0, List.of(port)));
            try (Collector<TcpEvent> c = new Collector<>(tool, TcpEvent::decode)) {
                try (Socket ignored = new Socket(other.getInetAddress(), other.getLocalPort()); Socket a = other.accept()) {
                    // accepted on a port not in -P: not reported
                }
                int clientPort;
                try (Socket client = new Socket(server.getInetAddress(), port); Socket accepted = server.accept()) {
                    clientPort = client.getLocalPort();
                }
                TcpEvent e = c.await(ev -> ev.lport() == port);
                assertThat(e.pid()).isEqualTo(ProcessHandle.current().pid());
                assertThat(e.rport()).isEqualTo(clientPort);
                assertThat(e.raddr()).isEqualTo("127.0.0.1");
                assertThat(e.laddr()).isEqualTo("127.0.0.1");
                assertThat(c.events()).noneMatch(ev -> ev.lport() == other.getLocalPort());
                assertThat(tool.variant()).isIn("kprobe", "tracepoint");
            }
        }
    }
}
