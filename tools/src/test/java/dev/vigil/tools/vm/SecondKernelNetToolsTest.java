package dev.vigil.tools.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.net.TcpConnLat;
import dev.vigil.tools.net.TcpConnect;
import dev.vigil.tools.net.TcpEvent;
import dev.vigil.tools.net.TcpRtt;
import dev.vigil.tools.testing.Collector;
import dev.vigil.tools.uprobe.FuncLatency;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kprobe paths of the tools, in the second kernel (Debian's 6.1 under qemu, which has kprobes): the
 * feature probe picks tcpconnect's, tcpconnlat's and tcprtt's kprobe variants (libbpf-tools' hooks) and
 * funclatency times a kernel function, each seeing this guest JVM's own loopback traffic or reads.
 * VIGIL_VM_TESTS=1 only (CI sets it).
 */
class SecondKernelNetToolsTest {
    private static final String MARK = "vigil-vm-tools ";

    @Test
    void tcpconnectTcpconnlatTcprttAndFunclatencyRunOnTheirKprobes() throws Exception {
        SecondKernel.assumeEnabled();
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(), 600);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).contains("tcpconnect kprobe seen", "tcpconnlat kprobe seen", "tcprtt kprobe seen", "funclatency kprobe seen");
    }

    /** Runs in the guest: each tool on its best hook, a line saying which and whether it saw the activity. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            int self = (int) ProcessHandle.current().pid();
            ToolFilters me = new ToolFilters(self, null, null, null);
            InetAddress lo = InetAddress.getLoopbackAddress();
            try (ServerSocket server = new ServerSocket(0, 50, lo)) {
                int port = server.getLocalPort();
                BpfTool connect = TcpConnect.start(new TcpConnect.Options(me, false, List.of(port)));
                BpfTool connlat = TcpConnLat.start(new TcpConnLat.Options(me, 0));
                BpfTool rtt = TcpRtt.start(new TcpRtt.Options(0, port, null, null, TcpRtt.By.ALL, false));
                try (Collector<TcpEvent> c = new Collector<>(connect, TcpEvent::decode);
                        Collector<TcpEvent> l = new Collector<>(connlat, TcpEvent::decode); rtt;
                        Socket client = new Socket(lo, port); Socket peer = server.accept()) {
                    DataInputStream in = new DataInputStream(client.getInputStream());
                    DataOutputStream out = new DataOutputStream(client.getOutputStream());
                    DataInputStream pin = new DataInputStream(peer.getInputStream());
                    DataOutputStream pout = new DataOutputStream(peer.getOutputStream());
                    for (int i = 0; i < 20; i++) {
                        out.writeInt(i);
                        out.flush();
                        pout.writeInt(pin.readInt());
                        pout.flush();
                        in.readInt();
                    }
                    TcpEvent e = c.await(x -> x.rport() == port);
                    say("tcpconnect " + connect.variant() + (e.pid() == self ? " seen" : " wrong pid " + e.pid()));
                    TcpEvent lat = l.await(x -> x.rport() == port);
                    say("tcpconnlat " + connlat.variant() + (lat.pid() == self && lat.lport() == client.getLocalPort() && lat.latencyNs() > 0
                            ? " seen" : " wrong " + lat));
                    long samples = TcpRtt.drain(rtt, TcpRtt.By.ALL).stream().mapToLong(TcpRtt.Entry::count).sum();
                    say("tcprtt " + rtt.variant() + (samples >= 20 ? " seen" : " only " + samples + " samples"));
                }
            }
            Path f = Files.createTempFile("vigil-vm-read", ".txt");
            Files.writeString(f, "x");
            try (BpfTool func = FuncLatency.start(new FuncLatency.Options(me, FuncLatency.Target.parse("vfs_read", self),
                    FuncLatency.Unit.NSECS))) {
                for (int i = 0; i < 20; i++) {
                    Files.readAllBytes(f);
                }
                Log2Histogram h = FuncLatency.drain(func);
                say("funclatency " + func.variant() + (h.total() >= 20 ? " seen" : " only " + h.total() + " calls"));
            }
        }

        static void say(String s) {
            System.out.println(MARK + s);
            System.out.flush();
        }
    }
}
