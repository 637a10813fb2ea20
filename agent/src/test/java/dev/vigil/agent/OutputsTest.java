package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.agent.output.HttpOutput;
import dev.vigil.agent.output.ProgramOutput;
import dev.vigil.agent.output.SyslogOutput;
import dev.vigil.agent.output.UnixDatagram;
import dev.vigil.rules.Priority;
import dev.vigil.rules.output.Alert;
import java.util.Map;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs against real sinks: a local HTTP server that goes away and comes back, a program that exits. */
class OutputsTest {
    @TempDir
    Path dir;

    static HttpServer sink(int port, List<String> received) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        s.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.start();
        return s;
    }

    @Test
    void httpSinkStoppedAndRestartedLosesNothingDuplicatesNothingKeepsOrder() throws Exception {
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = sink(0, received);
        int port = server.getAddress().getPort();
        HttpOutput out = new HttpOutput("http://127.0.0.1:" + port + "/", "vigil-test", Duration.ofSeconds(2), 1000);
        out.start();
        for (int i = 0; i < 20; i++) out.offer("{\"n\":" + i + "}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < 20 && System.nanoTime() < deadline) Thread.sleep(10);
        server.stop(0);
        for (int i = 20; i < 40; i++) out.offer("{\"n\":" + i + "}");
        Thread.sleep(1500); // the sink is down: alerts wait, retried with backoff
        assertThat(received).hasSize(20);
        server = sink(port, received);
        try {
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (received.size() < 40 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(out.flushAndClose(5000)).isTrue();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) expected.add("{\"n\":" + i + "}");
            assertThat(received).containsExactlyElementsOf(expected);
            assertThat(out.failed()).as("retried attempts").isPositive();
            assertThat(out.dropped()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void httpSinkDownSpoolsToDiskInOrderAndAcrossARestart() throws Exception {
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        HttpServer server = sink(0, received);
        int port = server.getAddress().getPort();
        server.stop(0); // down from the start
        Path spool = dir.resolve("spool");
        String url = "http://127.0.0.1:" + port + "/";
        HttpOutput out = new HttpOutput(url, "vigil-test", Duration.ofSeconds(1), 100, spool, 1 << 20);
        out.start();
        for (int i = 0; i < 50; i++) {
            assertThat(out.offer("{\"n\":" + i + "}")).isTrue();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (out.depth() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(out.flushAndClose(5000)).isTrue();
        out.stopSpool(); // the agent stops with the sink still down: all 50 wait on disk
        assertThat(out.dropped()).isZero();
        assertThat(out.spooledBytes()).isPositive();

        HttpOutput next = new HttpOutput(url, "vigil-test", Duration.ofSeconds(1), 100, spool, 1 << 20);
        next.start();
        server = sink(port, received);
        try {
            next.offer("{\"n\":50}");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (received.size() < 51 && System.nanoTime() < deadline) Thread.sleep(10);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i <= 50; i++) expected.add("{\"n\":" + i + "}");
            assertThat(received).containsExactlyElementsOf(expected);
            assertThat(next.flushAndClose(5000)).isTrue();
            next.stopSpool();
            assertThat(next.spooledBytes()).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void syslogDatagramsCarryTheRulePriorityAsSeverity() throws Exception {
        Path sock = dir.resolve("log");
        try (UnixDatagram receiver = UnixDatagram.bind(sock)) {
            SyslogOutput out = new SyslogOutput(sock, 100);
            out.start();
            Alert warning = new Alert(0, "r", Priority.WARNING, "syscall", List.of(), "12:00:00.000000000: Warning hello",
                    Map.of(), "h");
            Alert critical = new Alert(0, "r", Priority.CRITICAL, "syscall", List.of(), "x: Critical boom", Map.of(), "h");
            out.offer(out.render(warning, warning.output(), false));
            out.offer(out.render(critical, critical.output(), true));
            String first = new String(receiver.receive(), StandardCharsets.UTF_8);
            String second = new String(receiver.receive(), StandardCharsets.UTF_8);
            assertThat(first).matches("<12>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d vigil\\[\\d+\\]: 12:00:00.000000000: Warning hello");
            assertThat(second).startsWith("<10>").contains("vigil[").contains("\"priority\":\"Critical\"");
            assertThat(out.flushAndClose(2000)).isTrue();
            assertThat(out.failed()).isZero();
        }
        SyslogOutput nowhere = new SyslogOutput(dir.resolve("no-such-socket"), 100);
        nowhere.start();
        nowhere.offer("<12>lost");
        assertThat(nowhere.flushAndClose(2000)).isTrue();
        assertThat(nowhere.failed()).isEqualTo(1);
    }

    @Test
    void aProgramThatExitsIsRestartedAndWhatItMissedIsCounted() throws Exception {
        Path file = dir.resolve("piped.txt");
        ProgramOutput out = new ProgramOutput("head -n 3 >> " + file, 1000);
        out.start();
        for (int i = 0; i < 10; i++) {
            out.offer("alert " + i);
            Thread.sleep(100); // one at a time, so that head sees each before it exits
        }
        assertThat(out.flushAndClose(5000)).isTrue();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.size()).isGreaterThan(3); // restarted after it exited
        assertThat(lines.size() + out.failed()).isGreaterThanOrEqualTo(10);
        assertThat(lines).doesNotHaveDuplicates().allMatch(l -> l.startsWith("alert "));
    }
}
