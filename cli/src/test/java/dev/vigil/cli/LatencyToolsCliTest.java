package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 12's latency, network and block tools as a user runs them: a real line, and one line with exit 2 for bad input. */
class LatencyToolsCliTest {
    @Test
    void tcpconnlatPrintsALoopbackConnectWithItsLatency() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            CliProcess cli = CliProcess.start("tcpconnlat", "-L");
            NetToolsCliTest.awaitOut(cli, out -> out.contains("LAT(ms)"));
            Process bash = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).start();
            try (Socket s = server.accept()) {
                assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            String out = NetToolsCliTest.awaitOut(cli, o -> o.contains(" " + port + " "));
            assertThat(out).containsPattern("(?m)^" + bash.pid() + " +bash +4 +127\\.0\\.0\\.1 +\\d+ +127\\.0\\.0\\.1 +" + port + " +\\d+\\.\\d\\d$");
            assertThat(NetToolsCliTest.terminate(cli)).isZero();
            assertThat(cli.err()).contains("Lost 0 events");
        }
    }

    @Test
    void badInputGetsOneLineAndExitTwo() throws Exception {
        expect(new String[] {"tcpretrans", "-4", "-6"}, "vigil tcpretrans: -4 and -6 are mutually exclusive");
        expect(new String[] {"funclatency", ":main"}, "vigil funclatency: FUNCTION :main: :FUNC probes the binary of -p PID, and no -p was given");
        expect(new String[] {"runqlen", "-f", "0"}, "vigil runqlen: -f FREQUENCY must be 1 to 100000 Hz, got 0");
        expect(new String[] {"biosnoop", "-d", "no-such-disk"}, "vigil biosnoop: -d no-such-disk: no such disk (see /sys/block)");
        expect(new String[] {"gethostlatency", "-l", "/no/such/libc.so"}, "vigil gethostlatency: /no/such/libc.so: not an ELF file");
        expect(new String[] {"tcprtt", "-b", "-B"}, "vigil tcprtt: -b and -B are mutually exclusive");
    }

    private static void expect(String[] args, String line) throws Exception {
        CliProcess cli = CliProcess.start(args);
        assertThat(cli.waitFor(60)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo(line);
    }
}
