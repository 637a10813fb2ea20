package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.containers.DockerForAgentTests;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent with the stable Falco rules (plus the incubating file, for "Launch Privileged Container", which upstream
 * ships only there) against real Docker containers on a private engine (the containers module's harness: one
 * dockerd for the class, a busybox-static image with a static AF_PACKET helper added). Each scenario must raise its
 * rule with every container.* and k8s.* field right in output_fields (appended as Falco's
 * append_output does), on the container's first process where the rule allows it. No warm-up container: the very
 * first container after the agent started must already be described (its early events wait for Docker's answer,
 * container_engines.docker.metadata_wait_ms).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentContainerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MARK = "vigilctr" + UUID.randomUUID().toString().substring(0, 8);
    static final String IMAGE = "vigil-tools:1";

    DockerForAgentTests docker;
    Agent agent;
    Path dir, alerts;

    @BeforeAll
    void start() throws Exception {
        KernelTests.assumeKernel();
        dir = Files.createTempDirectory(MARK);
        docker = DockerForAgentTests.start();
        importToolsImage();
        Path stable = dir.resolve("falco_rules.yaml");
        Path incubating = dir.resolve("falco-incubating_rules.yaml");
        copyResource(Agent.BUNDLED_RULES, stable);
        copyResource("/rules/falco-incubating_rules.yaml", incubating);
        alerts = dir.resolve("alerts.json");
        // the API server's name, for "Contact K8S API Server From Container": the agent resolves the names in
        // conditions at start (and every 10 s); a marked line, removed at the end
        String hosts = Files.readString(HOSTS);
        Files.writeString(HOSTS, (hosts.isEmpty() || hosts.endsWith("\n") ? "" : "\n") + API_SERVER_IP
                + " kubernetes.default.svc.cluster.local # " + MARK + "\n", java.nio.file.StandardOpenOption.APPEND);
        AgentConfig cfg = AlertFile.agentWritingTo(alerts)
                .override("rule_matching=all")
                .override("rules_files=[" + stable + ", " + incubating + "]")
                .override("container_engines.docker.socket=" + docker.socket())
                .build();
        agent = Agent.start(cfg, new PrintStream(System.err, true));
        // Docker's event stream warms the cache before a container's first process runs: wait for it to connect
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (agent.sensor().containers().stats().streamConnects() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(agent.sensor().containers().stats().streamConnects()).as("event stream connected").isEqualTo(1);
    }

    static final Path HOSTS = Path.of("/etc/hosts");
    static final String API_SERVER_IP = "203.0.113.77";

    @AfterAll
    void stop() throws Exception {
        if (Files.readString(HOSTS).contains(MARK)) {
            List<String> kept = Files.readAllLines(HOSTS).stream().filter(l -> !l.contains(MARK)).toList();
            Files.writeString(HOSTS, String.join("\n", kept) + "\n");
        }
        try {
            if (agent != null) agent.close();
        } finally {
            try {
                if (docker != null) docker.close();
            } finally {
                AlertFile.deleteTree(dir);
            }
        }
    }

    /** busybox-static and the static packet-socket and reverse-shell helpers, imported as IMAGE. */
    private void importToolsImage() throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String c : new String[] {"sh", "sleep", "cat", "echo", "true", "nc", "mkdir", "mount"}) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(c), Path.of("busybox"));
        }
        sh("gcc -static -O1 -o " + rootfs.resolve("bin/pktsniff") + " src/test/c/packet_socket.c");
        sh("gcc -static -O1 -o " + rootfs.resolve("bin/revshell") + " src/test/c/reverse_shell.c");
        sh("gcc -static -O1 -o " + rootfs.resolve("bin/modload") + " src/test/c/module_load.c");
        copyWithLibraries(Path.of("/usr/sbin/debugfs"), rootfs, "bin/debugfs"); // e2fsprogs' (dynamic: its libraries too)
        sh("tar -C " + rootfs + " -c . | " + docker.cli() + " import - " + IMAGE);
    }

    /** A dynamic binary into the image at {@code as}, with the libraries ldd names at their own paths. */
    private static void copyWithLibraries(Path binary, Path rootfs, String as) throws Exception {
        Files.copy(binary, rootfs.resolve(as));
        for (String line : sh("ldd " + binary).lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(/\\S+) \\(0x").matcher(line);
            if (!m.find()) continue;
            Path lib = Path.of(m.group(1)), to = rootfs.resolve(lib.toString().substring(1));
            Files.createDirectories(to.getParent());
            if (!Files.exists(to)) Files.copy(lib, to);
        }
    }

    private static String sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + ": " + out).isZero();
        return out;
    }

    private static void copyResource(String resource, Path to) throws Exception {
        try (InputStream in = Agent.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Files.copy(in, to);
        }
    }

    List<JsonNode> alerts() throws Exception { return AlertFile.read(alerts); }

    JsonNode await(String rule, Predicate<JsonNode> p) throws Exception { return AlertFile.await(alerts, rule, p); }

    static String text(JsonNode fields, String name) { return fields.path(name).asText(); }

    /** Every container.* and k8s.* field the alert carries, against what the engine says. */
    void assertContainer(JsonNode f, String fullId, String name, boolean privileged, String pod, String ns) {
        assertThat(fullId).matches("[0-9a-f]{64}");
        assertThat(text(f, "container.id")).isEqualTo(fullId.substring(0, 12));
        assertThat(text(f, "container.name")).isEqualTo(name);
        assertThat(text(f, "container.image.repository")).isEqualTo("vigil-tools");
        assertThat(text(f, "container.image.tag")).isEqualTo("1");
        assertThat(f.path("container.privileged").isBoolean()).as("container.privileged a JSON boolean: " + f).isTrue();
        assertThat(f.path("container.privileged").asBoolean()).isEqualTo(privileged);
        // absent: JSON null (the text output says <NA>, as Falco does)
        if (pod == null) assertThat(f.path("k8s.pod.name").isNull()).as(f.toString()).isTrue();
        else assertThat(text(f, "k8s.pod.name")).isEqualTo(pod);
        if (ns == null) assertThat(f.path("k8s.ns.name").isNull()).as(f.toString()).isTrue();
        else assertThat(text(f, "k8s.ns.name")).isEqualTo(ns);
    }

    /** docker run -d: the container's id (DockerEngine.docker keeps the id line of run's output). */
    String run(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "-d", "--network", "none"));
        a.addAll(List.of(args));
        return docker.docker(a.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void terminalShellAsTheContainersFirstProcess() throws Exception {
        String name = MARK + "-term";
        String id = run("-t", "--name", name, "--label", "io.kubernetes.pod.name=web-0",
                "--label", "io.kubernetes.pod.namespace=shop", IMAGE, "sh", "-c", "echo " + MARK + "; sleep 300");
        JsonNode a = await("Terminal shell in container", f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, false, "web-0", "shop");
        assertThat(text(f, "proc.name")).isEqualTo("sh");
        assertThat(text(f, "proc.cmdline")).isEqualTo("sh -c echo " + MARK + "; sleep 300");
        assertThat(f.path("proc.tty").asLong()).isNotZero();
        assertThat(a.path("output").asText()).contains("container_id=" + id.substring(0, 12))
                .contains("container_name=" + name).contains("k8s_pod_name=web-0");
    }

    @Test
    @Order(2)
    void terminalShellByDockerExec() throws Exception {
        String name = MARK + "-exec";
        String id = run("--name", name, "--label", "io.kubernetes.pod.name=api-1",
                "--label", "io.kubernetes.pod.namespace=prod", IMAGE, "sleep", "300");
        docker.docker("exec", "-t", name, "sh", "-c", "echo " + MARK);
        JsonNode a = await("Terminal shell in container", f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, false, "api-1", "prod");
        assertThat(text(f, "proc.cmdline")).isEqualTo("sh -c echo " + MARK);
        assertThat(f.path("proc.tty").asLong()).isNotZero();
        // the plain sleep (no terminal, not a shell) raised nothing of the kind
        assertThat(alerts()).noneMatch(x -> x.path("rule").asText().equals("Terminal shell in container")
                && text(x.path("output_fields"), "proc.name").equals("sleep"));
    }

    @Test
    @Order(3)
    void launchPrivilegedContainer() throws Exception {
        String name = MARK + "-priv";
        String id = run("--privileged", "--name", name, IMAGE, "sleep", "300");
        JsonNode a = await("Launch Privileged Container", f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, true, null, null);
        assertThat(text(f, "proc.name")).isEqualTo("sleep");
        assertThat(text(f, "proc.cmdline")).isEqualTo("sleep 300");
        // an unprivileged container's start raised none
        assertThat(alerts()).noneMatch(x -> x.path("rule").asText().equals("Launch Privileged Container")
                && !x.path("output_fields").path("container.privileged").asBoolean());
    }

    @Test
    @Order(4)
    void packetSocketAsTheContainersFirstProcessAndByExec() throws Exception {
        String name = MARK + "-pkt";
        String id = run("--name", name, "--label", "io.kubernetes.pod.name=sniffer-0",
                "--label", "io.kubernetes.pod.namespace=kube-system", IMAGE, "sh", "-c", "/bin/pktsniff; sleep 300");
        JsonNode a = await("Packet socket created in container", f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, false, "sniffer-0", "kube-system");
        assertThat(text(f, "proc.name")).isEqualTo("pktsniff");
        assertThat(text(f, "evt.type")).isEqualTo("socket");
        assertThat(text(f, "proc.exepath")).isEqualTo("/bin/pktsniff");
        assertThat(a.path("priority").asText()).isEqualTo("Notice");

        long before = alerts().stream().filter(x -> x.path("rule").asText().equals("Packet socket created in container")).count();
        docker.docker("exec", name, "/bin/pktsniff");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (alertsOf("Packet socket created in container") == before && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(alertsOf("Packet socket created in container")).as("one alert for the exec'd helper").isEqualTo(before + 1);
    }

    long alertsOf(String rule) {
        try {
            return alerts().stream().filter(x -> x.path("rule").asText().equals(rule)).count();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A reverse shell in a container: a socket connected to a listener (on the container's own loopback: containers
     * run with --network none here), dup2()'d onto 0, 1 and 2, then /bin/sh serving the remote end. One alert per
     * redirected standard stream, each naming the connection.
     */
    @Test
    @Order(5)
    void reverseShellRedirectsStdioToASocket() throws Exception {
        String name = MARK + "-rev";
        int port = 4444;
        String id = run("--name", name, "--label", "io.kubernetes.pod.name=shell-0",
                "--label", "io.kubernetes.pod.namespace=web", IMAGE, "sh", "-c", "/bin/revshell " + port + " " + MARK + "; sleep 300");
        String rule = "Redirect STDOUT/STDIN to Network Connection in Container";
        await(rule, f -> text(f, "container.name").equals(name));
        // the shell really served the connection: the listener printed its reply
        String logs = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!logs.contains("reply-" + MARK) && System.nanoTime() < deadline) {
            logs = docker.docker("logs", name);
            Thread.sleep(20);
        }
        assertThat(logs).contains("reply-" + MARK);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("client port (\\d+)").matcher(logs);
        assertThat(m.find()).as(logs).isTrue();
        String lport = m.group(1);

        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        List<JsonNode> ours = List.of();
        while (ours.size() < 3 && System.nanoTime() < deadline) {
            ours = alerts().stream().filter(x -> x.path("rule").asText().equals(rule)
                    && text(x.path("output_fields"), "container.name").equals(name)).toList();
            Thread.sleep(10);
        }
        // one per standard stream; the listener child (also "revshell") accepts and reads but redirects nothing
        assertThat(ours).as("one alert per standard stream").hasSize(3);
        for (JsonNode a : ours) {
            JsonNode f = a.path("output_fields");
            assertContainer(f, id, name, false, "shell-0", "web");
            assertThat(a.path("priority").asText()).isEqualTo("Notice");
            assertThat(text(f, "evt.type")).isEqualTo("dup2");
            assertThat(text(f, "fd.name")).isEqualTo("127.0.0.1:" + lport + "->127.0.0.1:" + port);
            assertThat(text(f, "fd.type")).isEqualTo("ipv4");
            assertThat(text(f, "fd.l4proto")).isEqualTo("tcp");
            assertThat(text(f, "fd.sip")).isEqualTo("127.0.0.1");
            assertThat(text(f, "fd.lport")).isEqualTo(lport);
            assertThat(text(f, "fd.rport")).isEqualTo(Integer.toString(port));
            assertThat(text(f, "proc.name")).isEqualTo("revshell");
            assertThat(text(f, "proc.exepath")).isEqualTo("/bin/revshell");
            assertThat(text(f, "proc.cmdline")).isEqualTo("revshell " + port + " " + MARK);
            assertThat(text(f, "proc.pname")).isEqualTo("sh");
            assertThat(text(f, "user.name")).isEqualTo("root");
            assertThat(a.path("output").asText()).contains("Redirect stdout/stdin to network connection")
                    .contains("connection=127.0.0.1:" + lport + "->127.0.0.1:" + port);
        }
        // and nothing else in this container raised an alert (no terminal: not "Terminal shell in container")
        assertThat(alerts()).filteredOn(x -> text(x.path("output_fields"), "container.name").equals(name))
                .extracting(x -> x.path("rule").asText()).containsOnly(rule);
    }

    @Test
    @Order(6)
    void metadataCameFromTheEngineWithoutFailures() throws Exception {
        var st = agent.sensor().containers().stats();
        assertThat(st.failures()).as(st.toString()).isZero();
        assertThat(st.fetchedOk()).as(st.toString()).isGreaterThanOrEqualTo(4);
        assertThat(agent.metrics()).isNotNull();
        String metrics = Metrics.render(agent);
        assertThat(metrics).contains("vigil_container_lookups_total{result=\"ok\"} ")
                .contains("vigil_container_stream_connects_total 1").contains("vigil_container_events_unheld_total 0");
        System.err.println(metrics.lines().filter(l -> l.startsWith("vigil_container")).toList());
    }

    @Test
    @Order(7)
    void hostProcessesAreNotContainers() throws Exception {
        // the sandbox's own cgroup (/process_api/<hex> here) and every host event carry container.id=host
        for (JsonNode a : alerts()) {
            JsonNode f = a.path("output_fields");
            if (!a.path("source").asText().equals("syscall")) continue;
            String cid = text(f, "container.id");
            if (!cid.equals("host")) assertThat(text(f, "container.name")).as(a.toString()).startsWith(MARK);
        }
    }

    @Test
    @Order(8)
    void aBinaryDroppedIntoTheRunningContainerAndExecuted() throws Exception {
        // Falco's "Drop and execute new binary in container": the copy lives in the overlay's upper layer
        String name = MARK + "-drop";
        run("--name", name, IMAGE, "sleep", "300");
        String dropped = "/tmp/" + MARK + "/echo"; // busybox runs the applet its file is named after
        docker.docker("exec", name, "/bin/busybox", "mkdir", "/tmp/" + MARK);
        docker.docker("exec", name, "/bin/busybox", "cp", "/bin/busybox", dropped);
        docker.docker("exec", name, dropped, "echo", MARK + "-upper");
        docker.docker("exec", name, "/bin/echo", MARK + "-lower"); // the image's own binary: no alert
        docker.docker("exec", name, dropped, "echo", MARK + "-last");
        String rule = "Drop and execute new binary in container";
        JsonNode a = await(rule, f -> text(f, "proc.cmdline").contains(MARK + "-upper"));
        JsonNode f = a.path("output_fields");
        assertThat(text(f, "container.name")).isEqualTo(name);
        assertThat(text(f, "proc.exe")).isEqualTo(dropped);
        await(rule, x -> text(x, "proc.cmdline").contains(MARK + "-last")); // events are in ring order: -lower was judged
        assertThat(alerts()).noneMatch(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "proc.cmdline").contains(MARK + "-lower"));
    }

    @Test
    @Order(9)
    void aKernelModuleLoadAttemptFromAContainer() throws Exception {
        // this kernel has no module syscalls' tracepoints (nor modules): the attempt (ENOSYS) is seen through the
        // raw sys_exit hook, as Falco's raw hook sees it
        String name = MARK + "-mod";
        run("--name", name, "--cap-add", "SYS_MODULE", IMAGE, "sleep", "300");
        String out = docker.docker("exec", name, "/bin/modload");
        JsonNode a = await("Linux Kernel Module Injection Detected", f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertThat(text(f, "proc.name")).isEqualTo("modload");
        assertThat(text(f, "evt.type")).isIn("init_module", "finit_module");
        if (out.contains("init_module -1 38")) assertThat(a.path("output").asText()).contains("res=ENOSYS");
    }

    @Test
    @Order(10)
    void netcatRunsAShellForWhoeverConnects() throws Exception {
        // the attacker's listener in the container, and nc -e handing it a shell (run by docker exec: busybox's sh
        // would run its own nc applet without an exec): the listener sends a command, the shell's answer comes back
        String name = MARK + "-nc";
        String id = run("--name", name, IMAGE, "sh", "-c", "(echo echo reply-" + MARK + "; sleep 3) | nc -l -p 4445; sleep 300");
        String logs = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!logs.contains("reply-" + MARK) && System.nanoTime() < deadline) {
            try {
                docker.docker("exec", name, "/bin/nc", "127.0.0.1", "4445", "-e", "/bin/sh"); // busybox: -e PROG last
            } catch (AssertionError refused) {
                Thread.sleep(100); // the listener is not up yet
            }
            logs = docker.docker("logs", name);
        }
        assertThat(logs).as("the shell answered through the socket").contains("reply-" + MARK);
        String rule = "Netcat Remote Code Execution in Container";
        JsonNode a = await(rule, f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, false, null, null);
        assertThat(text(f, "proc.name")).isEqualTo("nc");
        assertThat(text(f, "proc.cmdline")).isEqualTo("nc 127.0.0.1 4445 -e /bin/sh");
        // only nc -e is the rule's (a retry before the listener was up is one too), not the listener
        assertThat(alerts()).filteredOn(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "container.name").equals(name))
                .allMatch(x -> text(x.path("output_fields"), "proc.cmdline").contains(" -e "));
    }

    @Test
    @Order(11)
    void releaseAgentWriteFromAPrivilegedContainer() throws Exception {
        // the cgroup v1 escape: mount a hierarchy, write its release_agent (here the v1 mount may be refused on a
        // v2-only host; the write is made either way, as an exploit script does); the same from an unprivileged
        // container lacks CAP_SYS_ADMIN and must raise nothing
        String rule = "Detect release_agent File Container Escapes";
        String script = "mkdir -p /tmp/cg; mount -t cgroup -o rdma cgroup /tmp/cg; echo /x > /tmp/cg/release_agent; echo done-" + MARK
                + "; sleep 300";
        String plain = MARK + "-ra-plain";
        run("--name", plain, IMAGE, "sh", "-c", script);
        String logs = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!logs.contains("done-" + MARK) && System.nanoTime() < deadline) {
            logs = docker.docker("logs", plain);
            Thread.sleep(20);
        }
        assertThat(logs).as("the unprivileged write was made").contains("done-" + MARK);
        String name = MARK + "-ra";
        String id = run("--privileged", "--name", name, IMAGE, "sh", "-c", script);
        JsonNode a = await(rule, f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, true, null, null);
        assertThat(text(f, "fd.name")).isEqualTo("/tmp/cg/release_agent");
        assertThat(text(f, "thread.cap_effective")).contains("CAP_SYS_ADMIN");
        // the privileged write came after the plain one (ring order): the plain one was judged, and raised nothing
        assertThat(alerts()).noneMatch(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "container.name").equals(plain));
    }

    @Test
    @Order(12)
    void debugfsOnTheHostDiskFromAPrivilegedContainer() throws Exception {
        // a privileged container sees the host's block devices: debugfs reads the host's file system (read-only
        // here); the same command in an unprivileged container (no such device) is not the rule's
        String rule = "Debugfs Launched in Privileged Container";
        String disk = Files.exists(Path.of("/dev/vda")) ? "/dev/vda" : Files.exists(Path.of("/dev/sda")) ? "/dev/sda" : "/dev/null";
        String plain = MARK + "-dbg-plain";
        run("--name", plain, IMAGE, "sh", "-c", "/bin/debugfs -R stats " + disk + "; echo done-" + MARK + "; sleep 300");
        String logs = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!logs.contains("done-" + MARK) && System.nanoTime() < deadline) {
            logs = docker.docker("logs", plain);
            Thread.sleep(20);
        }
        assertThat(logs).as("debugfs ran in the unprivileged container").contains("done-" + MARK).contains("debugfs");
        String name = MARK + "-dbg";
        String id = run("--privileged", "--name", name, IMAGE, "sh", "-c", "/bin/debugfs -R stats " + disk + "; sleep 300");
        JsonNode a = await(rule, f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, true, null, null);
        assertThat(text(f, "proc.cmdline")).isEqualTo("debugfs -R stats " + disk);
        assertThat(alerts()).noneMatch(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "container.name").equals(plain));
    }

    @Test
    @Order(13)
    void contactTheApiServerFromAContainer() throws Exception {
        // the container's own network namespace holds the API server's address (on lo, with NET_ADMIN), so the
        // connect succeeds without leaving it; a connect to another address there is not the rule's
        String rule = "Contact K8S API Server From Container";
        String name = MARK + "-api";
        String id = run("--cap-add", "NET_ADMIN", "--name", name, IMAGE, "sh", "-c",
                "/bin/busybox ip addr add " + API_SERVER_IP + "/32 dev lo; /bin/busybox ip addr add 203.0.113.78/32 dev lo; "
                + "nc -l -p 443 & nc -l -p 8443 & sleep 0.5; nc 203.0.113.78 8443 </dev/null; echo other-" + MARK
                + "; nc " + API_SERVER_IP + " 443 </dev/null; echo done-" + MARK + "; sleep 300");
        JsonNode a = await(rule, f -> text(f, "container.name").equals(name));
        JsonNode f = a.path("output_fields");
        assertContainer(f, id, name, false, null, null);
        assertThat(text(f, "fd.rport")).isEqualTo("443");
        assertThat(text(f, "fd.type")).isEqualTo("ipv4");
        assertThat(a.path("output").asText()).contains("->" + API_SERVER_IP + ":443");
        assertThat(docker.docker("logs", name)).contains("other-" + MARK);
        assertThat(alerts()).filteredOn(x -> x.path("rule").asText().equals(rule)
                && text(x.path("output_fields"), "container.name").equals(name))
                .allMatch(x -> text(x.path("output_fields"), "fd.rport").equals("443"));
    }
}
