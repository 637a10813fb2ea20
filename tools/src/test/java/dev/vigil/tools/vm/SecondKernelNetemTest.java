package dev.vigil.tools.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.net.TcpConnLat;
import dev.vigil.tools.net.TcpEvent;
import dev.vigil.tools.net.TcpRetrans;
import dev.vigil.tools.net.TcpRtt;
import dev.vigil.tools.testing.Collector;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The netem proof, in the second kernel (Debian's 6.1 has sch_netem as a module; this host's kernel has
 * no netem at all): a veth into a network namespace the guest creates, a 20 ms netem delay on the client's
 * side, a Python echo server in the namespace. tcpconnlat's latency of the connect and tcprtt's smoothed RTT
 * must show the 20 ms (asserted as a range, 15-200 ms: the delay is the floor, the emulated guest adds its
 * own time), then netem loss on the same veth must show as tcpretrans retransmits of the established flow.
 * VIGIL_VM_TESTS=1 only (CI sets it).
 */
class SecondKernelNetemTest {
    private static final String MARK = "vigil-vm-netem ";

    @Test
    void netemDelayShowsInTcpconnlatAndTcprttAndNetemLossInTcpretrans() throws Exception {
        SecondKernel.assumeEnabled();
        Path cache = Path.of(System.getenv().getOrDefault("VIGIL_VM_CACHE", "/var/cache/vigil-vm"));
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(cache.toString()), 600);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        Map<String, String> said = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length()).split(" ", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : "", (a, b) -> a));
        assertThat(said).as(guest.output()).containsKeys("tcpconnlat_us", "tcprtt_avg_us", "tcprtt_samples", "tcpretrans");
        assertThat(Long.parseLong(said.get("tcpconnlat_us"))).as("tcpconnlat with a 20 ms netem delay").isBetween(15_000L, 200_000L);
        assertThat(Long.parseLong(said.get("tcprtt_samples"))).isGreaterThanOrEqualTo(10);
        assertThat(Long.parseLong(said.get("tcprtt_avg_us"))).as("tcprtt's average srtt with a 20 ms netem delay").isBetween(15_000L, 200_000L);
        assertThat(said.get("tcpretrans")).as("tcpretrans under netem loss").startsWith("ESTABLISHED 198.51.100.1 -> 198.51.100.2:");
    }

    /** Runs in the guest; args[0] is the VM cache, where the guest kernel's modules were unpacked. */
    public static final class GuestMain {
        private static final String NS = "toolsvm";
        private static final String SERVER = "198.51.100.2";
        private static final int PORT = 7777;

        public static void main(String[] args) throws Exception {
            String kver = sh("uname -r").strip();
            Path kernel = Path.of(args[0], kver, "root/lib/modules", kver, "kernel");
            Process server = null;
            try {
                sh("set -e; for m in drivers/net/veth.ko net/sched/sch_netem.ko; do insmod " + kernel + "/$m 2>/dev/null"
                        + " || grep -q \"^$(basename $m .ko) \" /proc/modules; done;"
                        + " ip netns add " + NS + "; ip link add toolsvm0 type veth peer name toolsvm1 netns " + NS + ";"
                        + " ip addr add 198.51.100.1/24 dev toolsvm0; ip link set toolsvm0 up;"
                        + " ip -n " + NS + " addr add " + SERVER + "/24 dev toolsvm1; ip -n " + NS + " link set toolsvm1 up;"
                        + " ip -n " + NS + " link set lo up; tc qdisc add dev toolsvm0 root netem delay 20ms");
                server = new ProcessBuilder("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", String.join("\n",
                        "import socket",
                        "s = socket.socket()",
                        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                        "s.bind(('" + SERVER + "', " + PORT + "))",
                        "s.listen(8)",
                        "print('listening', flush=True)",
                        "while True:",
                        "    c, _ = s.accept()",
                        "    while True:",
                        "        d = c.recv(64)",
                        "        if not d: break",
                        "        c.sendall(d)",
                        "    c.close()")).redirectErrorStream(true).start();
                String first = new String(server.getInputStream().readNBytes("listening".length()));
                if (!first.equals("listening")) {
                    throw new IllegalStateException("the echo server did not start: " + first);
                }
                measure();
            } finally {
                if (server != null) {
                    server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                sh("ip link del toolsvm0 2>/dev/null; ip netns del " + NS + " 2>/dev/null; true");
            }
        }

        private static void measure() throws Exception {
            int self = (int) ProcessHandle.current().pid();
            BpfTool connlat = TcpConnLat.start(new TcpConnLat.Options(new ToolFilters(self, null, null, null), 0));
            BpfTool rtt = TcpRtt.start(new TcpRtt.Options(0, PORT, null, null, TcpRtt.By.ALL, false));
            BpfTool retrans = TcpRetrans.start(new TcpRetrans.Options(0, false, false));
            try (Collector<TcpEvent> l = new Collector<>(connlat, TcpEvent::decode); rtt;
                    Collector<TcpRetrans.Event> r = new Collector<>(retrans, TcpRetrans.Event::decode);
                    Socket client = new Socket()) {
                // a first connection resolves the server's address (ARP), so the measured one waits for netem only:
                // without this, the ARP round trip of the emulated guest alone took 16 ms with no netem delay
                try (Socket warmUp = new Socket(InetAddress.getByName(SERVER), PORT)) {
                    warmUp.getOutputStream().write(1);
                    warmUp.getInputStream().read();
                }
                client.connect(new InetSocketAddress(InetAddress.getByName(SERVER), PORT), 30_000);
                client.setTcpNoDelay(true);
                int lport = client.getLocalPort();
                DataInputStream in = new DataInputStream(client.getInputStream());
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                for (int i = 0; i < 20; i++) {
                    out.writeInt(i);
                    out.flush();
                    in.readInt();
                }
                TcpEvent c = l.await(e -> e.rport() == PORT && e.lport() == lport);
                say("tcpconnlat_us " + c.latencyNs() / 1000);
                TcpRtt.Entry all = TcpRtt.drain(rtt, TcpRtt.By.ALL).getFirst();
                say("tcprtt_avg_us " + all.average());
                say("tcprtt_samples " + all.count());
                sh("tc qdisc change dev toolsvm0 root netem delay 20ms loss 30%");
                for (int i = 0; i < 200 && r.events().stream().noneMatch(e -> e.lport() == lport); i++) {
                    out.writeInt(i);
                    out.flush();
                    in.readInt();
                }
                TcpRetrans.Event e = r.await(x -> x.lport() == lport);
                say("tcpretrans " + e.stateName() + " " + e.laddr() + " -> " + e.raddr() + ":" + e.rport());
            }
        }

        private static String sh(String script) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + script + "\n" + out);
            }
            return out;
        }

        static void say(String s) {
            System.out.println(MARK + s);
            System.out.flush();
        }
    }
}
