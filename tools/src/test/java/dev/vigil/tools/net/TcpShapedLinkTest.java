package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.tools.testing.Collector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real loss and real RTT on this host, which has no sch_netem (SecondKernelNetemTest does the netem proof
 * in the 6.1 guest): a veth into a namespace the test creates, with a token bucket (tbf, built in here) of
 * 1 Mbit/s and a 3,000-byte queue on the client's side. A 200 KB upload overflows the queue, so the qdisc
 * drops segments and TCP retransmits them (tcpretrans, in ESTABLISHED: the server answers only once it has
 * every byte), and every full segment waits ~12 ms to be serialized, so tcprtt's smoothed RTT of the flow
 * is milliseconds (on the bare veth it is tens of microseconds).
 */
class TcpShapedLinkTest {
    private static final String NS = "tools-shaped";
    private static final String SERVER = "198.51.100.102";
    private static final int PORT = 7778;
    private static final int BYTES = 200_000;
    private Process server;

    @BeforeEach
    void link() throws Exception {
        KernelTests.assumeKernel();
        teardown();
        sh("ip netns add " + NS + " && ip link add toolsh0 type veth peer name toolsh1 netns " + NS
                + " && ip addr add 198.51.100.101/24 dev toolsh0 && ip link set toolsh0 up"
                + " && ip -n " + NS + " addr add " + SERVER + "/24 dev toolsh1 && ip -n " + NS + " link set toolsh1 up"
                + " && tc qdisc add dev toolsh0 root tbf rate 1mbit burst 1600 limit 3000");
        server = new ProcessBuilder("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", String.join("\n",
                "import socket",
                "s = socket.socket()",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind(('" + SERVER + "', " + PORT + "))",
                "s.listen(4)",
                "print('listening', flush=True)",
                "c, _ = s.accept()",
                "n = 0",
                "while n < " + BYTES + ":",
                "    d = c.recv(65536)",
                "    if not d: break",
                "    n += len(d)",
                "c.sendall(b'ok')",
                "c.close()")).redirectErrorStream(true).start();
        String first = new String(server.getInputStream().readNBytes("listening".length()));
        assertThat(first).as("the sink in the namespace").isEqualTo("listening");
    }

    @AfterEach
    void teardown() throws Exception {
        if (server != null) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        sh("ip link del toolsh0 2>/dev/null; ip netns del " + NS + " 2>/dev/null; true");
    }

    @Test
    void queueDropsAreRetransmitsAndSerializationIsRtt() throws Exception {
        BpfTool retrans = TcpRetrans.start(new TcpRetrans.Options(0, false, false));
        BpfTool rtt = TcpRtt.start(new TcpRtt.Options(0, PORT, null, null, TcpRtt.By.ALL, false));
        try (Collector<TcpRetrans.Event> r = new Collector<>(retrans, TcpRetrans.Event::decode); rtt;
                Socket client = new Socket(InetAddress.getByName(SERVER), PORT)) {
            int lport = client.getLocalPort();
            OutputStream out = client.getOutputStream();
            out.write(new byte[BYTES]);
            out.flush();
            InputStream in = client.getInputStream();
            assertThat(new String(in.readNBytes(2))).isEqualTo("ok");
            TcpRetrans.Event e = r.await(x -> x.lport() == lport);
            assertThat(e.stateName()).isEqualTo("ESTABLISHED");
            assertThat(e.type()).isEqualTo(TcpRetrans.RETRANSMIT);
            assertThat(e.laddr()).isEqualTo("198.51.100.101");
            assertThat(e.raddr()).isEqualTo(SERVER);
            assertThat(e.rport()).isEqualTo(PORT);
            TcpRtt.Entry all = TcpRtt.drain(rtt, TcpRtt.By.ALL).getFirst();
            assertThat(all.count()).isGreaterThanOrEqualTo(10);
            assertThat(all.average()).as("average srtt in us on a 1 Mbit/s link").isGreaterThan(5_000L);
        }
    }

    private static void sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("%s%n%s", script, out).isTrue();
    }
}
