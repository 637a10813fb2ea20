package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * tcpretrans and tcpconnlat on one slow loopback connect, with no netem (this kernel has no sch_netem): a
 * listener with backlog 1 holds two unaccepted connections, so its full accept queue drops the third SYN.
 * The client retransmits it when its SYN timer fires (TCP_TIMEOUT_INIT, 1 s), which tcpretrans sees in
 * SYN_SENT; once the test accepts one connection a retransmitted SYN gets through, so tcpconnlat's latency
 * cannot be under 1 s, nor over what the connect() took by the wall clock. A fast connect under the
 * min_ms filter is not reported.
 */
class TcpSlowConnectTest {
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void aSynDroppedByAFullAcceptQueueIsARetransmitAndASlowConnect() throws Exception {
        KernelTests.assumeKernel();
        InetAddress lo = InetAddress.getLoopbackAddress();
        int self = (int) ProcessHandle.current().pid();
        try (ServerSocket server = new ServerSocket(0, 1, lo); ServerSocket fast = new ServerSocket(0, 50, lo);
                Socket queued1 = new Socket(lo, server.getLocalPort()); Socket queued2 = new Socket(lo, server.getLocalPort());
                Socket slow = new Socket()) {
            int port = server.getLocalPort();
            var retrans = TcpRetrans.start(new TcpRetrans.Options(0, false, false));
            var connlat = TcpConnLat.start(new TcpConnLat.Options(new ToolFilters(self, null, null, null), SECOND_NS / 2));
            Collector<TcpEvent> l = new Collector<>(connlat, TcpEvent::decode);
            int quickPort;
            try (Collector<TcpRetrans.Event> r = new Collector<>(retrans, TcpRetrans.Event::decode); l) {
                CompletableFuture<Long> connected = CompletableFuture.supplyAsync(() -> {
                    long t0 = System.nanoTime();
                    try {
                        slow.connect(new InetSocketAddress(lo, port), 60_000);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return System.nanoTime() - t0;
                });
                TcpRetrans.Event syn = r.await(e -> e.rport() == port);
                assertThat(syn.stateName()).isEqualTo("SYN_SENT");
                assertThat(syn.type()).isEqualTo(TcpRetrans.RETRANSMIT);
                assertThat(syn.laddr()).isEqualTo("127.0.0.1");
                assertThat(syn.raddr()).isEqualTo("127.0.0.1");
                try (Socket accepted = server.accept()) { // room in the queue for the next retransmitted SYN
                    long wallNs = connected.get(60, TimeUnit.SECONDS);
                    int lport = slow.getLocalPort();
                    assertThat(syn.lport()).isEqualTo(lport);
                    TcpEvent c = l.await(e -> e.rport() == port);
                    assertThat(c.lport()).isEqualTo(lport);
                    assertThat(c.pid()).isEqualTo(self);
                    assertThat(c.latencyNs()).isBetween(SECOND_NS, wallNs);
                    try (Socket quick = new Socket(lo, fast.getLocalPort()); Socket a = fast.accept()) {
                        quickPort = quick.getLocalPort();
                        assertThat(a.getPort()).isEqualTo(quickPort);
                    }
                }
            }
            // closing drained the ring: the fast connect, under min_ms, was never sent
            assertThat(l.events()).extracting(TcpEvent::lport).contains(slow.getLocalPort()).doesNotContain(quickPort);
        }
    }
}
