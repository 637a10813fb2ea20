package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.output.FileOutput;
import dev.vigil.agent.output.ProgramOutput;
import dev.vigil.rules.Priority;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falco's meanings of keep_alive, buffered_outputs, outputs_queue.capacity and the log_* keys. */
class FalcoOutputsTest {
    @TempDir
    Path dir;

    static void awaitLines(Path f, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((!Files.exists(f) || Files.readAllLines(f).size() < n) && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Test
    void programOutputWithoutKeepAliveRunsOneProcessPerAlertSoJqCurlStyleProgramsSeeEof() throws Exception {
        Path counts = dir.resolve("counts");
        // like Falco's jq '{text: .output}' | curl -d @- : reads to EOF, then acts once
        ProgramOutput per = new ProgramOutput("wc -l >> " + counts, 0);
        per.configure(false, false).start();
        for (int i = 0; i < 3; i++) per.offer("alert " + i);
        assertThat(per.flushAndClose(10_000)).isTrue();
        assertThat(Files.readAllLines(counts).stream().map(String::strip).toList()).containsExactly("1", "1", "1");

        Path kept = dir.resolve("kept");
        ProgramOutput one = new ProgramOutput("wc -l >> " + kept, 0);
        one.configure(true, true).start();
        for (int i = 0; i < 3; i++) one.offer("alert " + i);
        assertThat(one.flushAndClose(10_000)).isTrue();
        assertThat(Files.readAllLines(kept).stream().map(String::strip).toList()).containsExactly("3");
    }

    @Test
    void fileOutputWithoutKeepAliveReopensTheFileForEachAlert() throws Exception {
        Path f = dir.resolve("events.txt");
        FileOutput out = new FileOutput(f, 0);
        out.configure(false, false).start();
        out.offer("first");
        awaitLines(f, 1);
        Files.move(f, dir.resolve("events.txt.1")); // rotated away without SIGUSR1
        out.offer("second");
        awaitLines(f, 1);
        assertThat(out.flushAndClose(5000)).isTrue();
        assertThat(Files.readAllLines(f)).containsExactly("second");
        assertThat(Files.readAllLines(dir.resolve("events.txt.1"))).containsExactly("first");
    }

    @Test
    void httpOutputWithoutKeepAliveUsesANewConnectionForEachAlert() throws Exception {
        // the remote port of each request tells its connection apart
        java.util.List<Integer> ports = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer sink = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        sink.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ports.add(ex.getRemoteAddress().getPort());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        sink.start();
        try {
            String url = "http://127.0.0.1:" + sink.getAddress().getPort() + "/";
            AgentConfig defaults = AgentConfig.builder().build();
            assertThat(defaults.bool("http_output.keep_alive")).as("Falco's default").isFalse();
            for (boolean keepAlive : new boolean[] {false, true}) {
                ports.clear();
                dev.vigil.agent.output.HttpOutput out = new dev.vigil.agent.output.HttpOutput(url, "vigil-test",
                        java.time.Duration.ofSeconds(5), 100, null, 0, new dev.vigil.agent.output.HttpOutput.Falco(
                                dev.vigil.agent.output.HttpTls.DEFAULT, false, false, 5, keepAlive));
                out.start();
                for (int i = 0; i < 3; i++) out.offer("{\"rule\":\"keep alive " + i + "\"}");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (ports.size() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(out.flushAndClose(5000)).isTrue();
                assertThat(ports).hasSize(3);
                assertThat(new java.util.HashSet<>(ports)).as("connections with keep_alive " + keepAlive).hasSize(keepAlive ? 1 : 3);
            }
        } finally {
            sink.stop(0);
        }
    }

    @Test
    void outputsQueueCapacityZeroIsUnboundedAsFalco() {
        FileOutput out = new FileOutput(dir.resolve("q.txt"), 0); // not started: nothing drains
        for (int i = 0; i < 100_000; i++) assertThat(out.offer("a")).isTrue();
        assertThat(out.dropped()).isZero();
        FileOutput bounded = new FileOutput(dir.resolve("b.txt"), 10);
        for (int i = 0; i < 20; i++) bounded.offer("a");
        assertThat(bounded.dropped()).isEqualTo(10);
    }

    @Test
    void logLevelAndLogStderrAsFalco() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(b, true, StandardCharsets.UTF_8);
        AgentLog warn = AgentLog.of(AgentConfig.builder().override("log_level=warning").build(), err);
        warn.log(Priority.INFORMATIONAL, "hidden");
        warn.log(Priority.ERROR, "shown");
        AgentLog off = AgentLog.of(AgentConfig.builder().override("log_stderr=false").build(), err);
        off.log(Priority.CRITICAL, "not on stderr");
        assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("vigil: shown\n");
        assertThat(AgentConfig.defaults().string("log_level")).isEqualTo("informational");
    }

    @Test
    void falcoHostnameNamesTheHostInAlerts() throws Exception {
        // EngineOptions reads FALCO_HOSTNAME first: checked in a child JVM with the variable set
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.vigil.agent.FalcoOutputsTest$PrintHostname");
        pb.environment().put("FALCO_HOSTNAME", "falco-host-1");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("falco-host-1");
    }

    /** Prints the hostname alerts carry. */
    public static final class PrintHostname {
        public static void main(String[] args) {
            System.out.println(dev.vigil.rules.engine.EngineOptions.defaults().hostname());
        }
    }

    @Test
    void timeFormatIso8601DefaultsToLocalTimeAsFalco() {
        assertThat(AgentConfig.defaults().bool("time_format_iso_8601")).isFalse();
        long ns = 1_700_000_000_123_456_789L;
        String local = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault())
                .format(java.time.Instant.ofEpochSecond(1_700_000_000L));
        assertThat(dev.vigil.rules.fields.FieldRegistry.formatTime(ns)).isEqualTo(local + ".123456789");
        assertThat(dev.vigil.rules.fields.FieldRegistry.formatIso(ns)).isEqualTo("2023-11-14T22:13:20.123456789Z");
    }
}
