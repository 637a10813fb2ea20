package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The TCP tools as a user runs them: the header once attached, a line per loopback connection, SIGTERM exits 0. */
class NetToolsCliTest {
    /** Waits for the CLI's stdout to satisfy the condition (bounded; the bound is not the assertion). */
    static String awaitOut(CliProcess cli, Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String out = cli.out();
            if (ready.test(out)) {
                return out;
            }
            assertThat(cli.process.isAlive()).as("vigil exited early: " + cli.err()).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("stdout never matched; stdout: " + cli.out() + " stderr: " + cli.err());
    }

    static int terminate(CliProcess cli) throws Exception {
        cli.process.toHandle().destroy(); // SIGTERM
        return cli.waitFor(60);
    }

    @Test
    void tcpconnectPrintsALoopbackConnect() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            CliProcess cli = CliProcess.start("tcpconnect", "-U", "-P", Integer.toString(port));
            awaitOut(cli, out -> out.contains("DPORT"));
            Process bash = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).start();
            try (Socket s = server.accept()) {
                assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            String out = awaitOut(cli, o -> o.contains(" " + port));
            assertThat(out).containsPattern("(?m)^0 +" + bash.pid() + " +bash +4 +127\\.0\\.0\\.1 +127\\.0\\.0\\.1 +" + port + " *$");
            assertThat(terminate(cli)).isZero();
            assertThat(cli.err()).contains("Lost 0 events");
        }
    }

    @Test
    void badPortListExitsTwoWithOneLine() throws Exception {
        CliProcess cli = CliProcess.start("tcpconnect", "-P", "80,http");
        assertThat(cli.waitFor(60)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("vigil tcpconnect: -P 80,http: 'http' is not a port (1-65535)");
    }

    @Test
    void tcplifeBadFlagsExitTwoWithOneLine() throws Exception {
        CliProcess both = CliProcess.start("tcplife", "-4", "-6");
        assertThat(both.waitFor(60)).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("vigil tcplife: -4 and -6 are mutually exclusive");
        CliProcess port = CliProcess.start("tcplife", "-L", "0");
        assertThat(port.waitFor(60)).isEqualTo(2);
        assertThat(port.err().strip()).isEqualTo("vigil tcplife: -L 0: '0' is not a port (1-65535)");
    }

    @Test
    void tcpacceptPrintsTheAcceptingProcess() throws Exception {
        KernelTests.assumeKernel();
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = probe.getLocalPort();
            probe.close(); // a free port for the child server
            CliProcess cli = CliProcess.start("tcpaccept", "-P", Integer.toString(port));
            awaitOut(cli, out -> out.contains("LPORT"));
            // a bash-free server: a child JVM is too slow, so accept in this JVM but filter on it by port
            try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket accepted = server.accept()) {
                String out = awaitOut(cli, o -> o.contains(" " + port));
                assertThat(out).containsPattern("(?m)^" + ProcessHandle.current().pid() + " +\\S+ +[46] +127\\.0\\.0\\.1 +"
                        + client.getLocalPort() + " +127\\.0\\.0\\.1 +" + port + " *$");
            }
            assertThat(terminate(cli)).isZero();
        }
    }
}
