package dev.vigil.policy.cilium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.policy.PinStore;
import dev.vigil.policy.PolicyEngine;
import dev.vigil.policy.PolicyEvent;
import dev.vigil.policy.PolicyKinds;
import dev.vigil.policy.PolicyLoader;
import dev.vigil.policy.PolicyOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CiliumNetworkPolicy enforced in the real kernel on real Docker containers (--network none plus a test veth),
 * each verdict checked by what the container's socket call returned and by the flow record it produced.
 */
class NetpolKernelTest {
    static NetpolFixture fx;
    static final PolicyKinds KINDS = PolicyKinds.of(new CiliumKind());
    static final PolicyLoader LOADER = new PolicyLoader(KINDS);

    PolicyEngine engine;
    final List<PolicyEvent> flows = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void engineUp() throws Exception {
        KernelTests.assumeKernel();
        fx = new NetpolFixture();
    }

    @AfterAll
    static void engineDown() throws Exception {
        if (fx != null) fx.close();
    }

    @BeforeEach
    void enforcer() {
        engine = newEngine(PolicyOptions.Enforcement.DEFAULT, false);
    }

    PolicyEngine newEngine(PolicyOptions.Enforcement mode, boolean audit) {
        return new PolicyEngine(KINDS, new PinStore(fx.pinRoot), new PolicyOptions(mode, audit,
                Map.of("docker.socket", fx.docker.socket.toString(), "cgroup_root", fx.cgroupRoot.toString())),
                flows::add, new PrintStream(log, true));
    }

    @AfterEach
    void unload() throws Exception {
        if (engine != null) engine.close(true);
        fx.docker.docker("ps", "-q").lines().filter(s -> !s.isBlank()).forEach(id -> {
            try { fx.docker.docker("rm", "-f", id); } catch (Exception e) { throw new IllegalStateException(e); }
        });
    }

    void apply(String yaml) {
        engine.apply(LOADER.loadText("test.yaml", yaml));
    }

    /** Waits (bounded) until the enforcer has written this container's endpoint (Docker events are async). */
    void awaitKnown(NetpolFixture.Box b) {
        awaitKnown(b.id);
    }

    void awaitKnown(String id) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.show().getOrDefault("CiliumNetworkPolicy", List.of()).stream().noneMatch(m -> id.startsWith((String) m.get("id")))) {
            assertThat(System.nanoTime()).as("container %s known to the enforcer", id).isLessThan(end);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    Map<String, Object> awaitFlow(Predicate<Map<String, Object>> p) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            for (PolicyEvent e : flows) {
                if (p.test(e.fields())) return e.fields();
            }
            assertThat(System.nanoTime()).as("a matching flow among %s", flows.stream().map(PolicyEvent::fields).toList()).isLessThan(end);
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    @SuppressWarnings("unchecked")
    static int dport(Map<String, Object> f) {
        Map<String, Object> l4 = (Map<String, Object>) f.get("l4");
        Map<String, Object> p = (Map<String, Object>) l4.values().iterator().next();
        return (Integer) p.get("destination_port");
    }

    @SuppressWarnings("unchecked")
    static String policy(Map<String, Object> f) {
        Map<String, Object> p = (Map<String, Object>) f.get("policy");
        return p == null ? null : (String) p.get("name");
    }

    static final String WEB_EGRESS = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: web-egress
            spec:
              endpointSelector:
                matchLabels:
                  app: web
              egress:
              - toCIDR:
                - 203.0.113.0/24
                toPorts:
                - ports:
                  - port: "8000"
                    endPort: 8100
                    protocol: TCP
            """;

    @Test
    void defaultDenyForTheSelectedContainerOnlyWithAnAllowedPortRange() throws Exception {
        apply(WEB_EGRESS);
        NetpolFixture.Box web = fx.start("app=web").wire();
        NetpolFixture.Box db = fx.start("app=db").wire();
        awaitKnown(web);
        awaitKnown(db);
        assertThat(web.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused"); // allowed: the test host answers RST
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM");   // outside the range: default deny
        assertThat(web.udp(NetpolFixture.HOST, 8080)).isEqualTo("EPERM");       // UDP: not allowed at all
        assertThat(db.connect(NetpolFixture.HOST, 9000)).isEqualTo("refused");  // not selected: untouched
        Map<String, Object> allowed = awaitFlow(f -> "FORWARDED".equals(f.get("verdict")) && dport(f) == 8080);
        assertThat(policy(allowed)).isEqualTo("web-egress");
        assertThat(allowed.get("traffic_direction")).isEqualTo("EGRESS");
        Map<String, Object> denied = awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && dport(f) == 9000);
        assertThat(denied.get("drop_reason_desc")).isEqualTo("POLICY_DENIED");
        assertThat(denied.toString()).contains("203.0.113.1").contains("bash").contains(web.id);
        awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && f.get("l4").toString().contains("UDP"));
        assertThat(flows).noneMatch(e -> e.fields().toString().contains(db.id));
    }

    @Test
    void exceptAndDenyRulesBeatAllows() throws Exception {
        apply("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: except-and-deny
                spec:
                  endpointSelector:
                    matchLabels:
                      app: api
                  egress:
                  - toCIDRSet:
                    - cidr: 203.0.113.0/24
                      except:
                      - 203.0.113.128/25
                  egressDeny:
                  - toCIDR:
                    - 203.0.113.1/32
                    toPorts:
                    - ports:
                      - port: "8081"
                """);
        NetpolFixture.Box api = fx.start("app=api").wire();
        awaitKnown(api);
        assertThat(api.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused");
        assertThat(api.connect(NetpolFixture.HOST2, 8080)).isEqualTo("EPERM"); // in the except
        assertThat(api.connect(NetpolFixture.HOST, 8081)).isEqualTo("EPERM");  // the deny rule beats the allow
        Map<String, Object> denied = awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && dport(f) == 8081);
        assertThat(denied.get("drop_reason_desc")).isEqualTo("POLICY_DENY");
        assertThat(denied.get("policy").toString()).contains("deny=true").contains("test.yaml:15:5");
        Map<String, Object> excepted = awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && f.get("IP").toString().contains(NetpolFixture.HOST2));
        assertThat(excepted.get("drop_reason_desc")).isEqualTo("POLICY_DENIED");
    }

    @Test
    void aClusterwidePolicysDenyBeatsANamespacedAllowAndItsFlowsNameItsKind() throws Exception {
        apply("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: cw-allow
                spec:
                  endpointSelector:
                    matchLabels:
                      app: cw
                  egress:
                  - toCIDR:
                    - 203.0.113.0/24
                ---
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: cw-deny
                spec:
                  endpointSelector: {}
                  egressDeny:
                  - toCIDR:
                    - 203.0.113.1/32
                    toPorts:
                    - ports:
                      - port: "8081"
                  egress:
                  - toEntities:
                    - all
                """);
        NetpolFixture.Box cw = fx.start("app=cw").wire();
        awaitKnown(cw);
        assertThat(cw.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused");
        assertThat(cw.connect(NetpolFixture.HOST, 8081)).isEqualTo("EPERM"); // the clusterwide deny beats the allow
        Map<String, Object> denied = awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && dport(f) == 8081);
        assertThat(denied.get("drop_reason_desc")).isEqualTo("POLICY_DENY");
        assertThat(policy(denied)).isEqualTo("cw-deny");
        assertThat(denied.get("policy").toString()).contains("kind=CiliumClusterwideNetworkPolicy");
        assertThat(engine.show().get("CiliumNetworkPolicy").toString()).contains("cw-allow").contains("cw-deny");
    }

    @Test
    void ingressFromANonAllowedSourceIsDroppedAndAnAllowedOneAccepted() throws Exception {
        apply("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web-ingress
                spec:
                  endpointSelector:
                    matchLabels:
                      app: server
                  ingress:
                  - fromCIDR:
                    - 203.0.113.1/32
                    toPorts:
                    - ports:
                      - port: "8080"
                        protocol: TCP
                """);
        NetpolFixture.Box server = fx.start("app=server").wire();
        awaitKnown(server);
        // ingress is decided where a socket receives (cgroup_skb): listeners on both ports
        server.listen(8080);
        server.listen(8081);
        assertThat(server.connectIn(8080)).isEqualTo("connected");
        assertThat(server.connectIn(8081)).isEqualTo("timeout"); // port not allowed: the SYN is dropped
        server.hostSourceSecond();
        assertThat(server.connectIn(8080)).isEqualTo("timeout"); // source not allowed
        Map<String, Object> in = awaitFlow(f -> "FORWARDED".equals(f.get("verdict")) && "INGRESS".equals(f.get("traffic_direction")));
        assertThat(in.get("IP").toString()).contains("source=203.0.113.1,").contains("destination=203.0.113.2");
        assertThat(in.get("l4").toString()).contains("SYN=true");
        awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && f.get("IP").toString().contains("source=" + NetpolFixture.HOST2));
    }

    @Test
    void aListenersBindTeachesTheKernelAContainerTheAgentDoesNotKnow() throws Exception {
        // sock_create returns on the socket type alone, before any lookup: a container is learnt where ingress needs
        // it, at a listener's bind (post_bind4/6). A cgroup named like a container that Docker never reported (the
        // agent cannot locate it) under policy_enforcement=always: its listener's SYN must be dropped as unknown,
        // which the kernel can only do if the bind taught it the cgroup (ingress cannot read a task's cgroup name).
        engine.close(true);
        engine = newEngine(PolicyOptions.Enforcement.ALWAYS, false);
        apply(WEB_EGRESS);
        NetpolFixture.Box box = fx.start("app=other").wire(); // its netns and test host
        String fakeId = ("feedface" + fx.unique).repeat(4);
        java.nio.file.Path fake = java.nio.file.Files.createDirectories(fx.cgroupRoot.resolve(fakeId));
        Process nc = new ProcessBuilder("bash", "-c", "echo $$ > " + fake.resolve("cgroup.procs") + " && exec nsenter -t " + box.pid
                + " -n -- /bin/busybox nc -ll -p 8081 -e /bin/cat").redirectErrorStream(true).start();
        try {
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (NetpolFixture.run("nsenter -t " + box.pid + " -n cat /proc/net/tcp /proc/net/tcp6").out().lines()
                    .noneMatch(l -> l.contains(":1F91 ") && l.contains(":0000 0A "))) {
                assertThat(System.nanoTime()).as("listening on 8081").isLessThan(end);
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            try (dev.vigil.ebpf.pin.PinnedMap cgroups = dev.vigil.ebpf.pin.PinnedMap.open(fx.pinRoot.resolve("netpol/maps/cgroups"))) {
                assertThat(cgroups.lookup(NetpolMaps.u64(NetpolEnforcer.inode(fake)))).as("the bind taught the kernel the cgroup")
                        .hasValueSatisfying(v -> assertThat(v).isEqualTo(NetpolMaps.u64(NetpolEnforcer.keyOf(fakeId))));
            }
            assertThat(box.connectIn(8081)).isEqualTo("timeout"); // an unknown container under always: dropped
            awaitFlow(f -> "DROPPED".equals(f.get("verdict")) && "INGRESS".equals(f.get("traffic_direction")) && dport(f) == 8081);
        } finally {
            nc.destroyForcibly().waitFor();
            java.nio.file.Files.deleteIfExists(fake);
        }
    }

    @Test
    void auditModePassesEverythingAndReportsAudit() throws Exception {
        apply(WEB_EGRESS.replace("name: web-egress", "name: web-egress\n  annotations:\n    vigil.dev/audit: \"true\""));
        NetpolFixture.Box web = fx.start("app=web").wire();
        awaitKnown(web);
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("refused"); // would be denied: passes
        Map<String, Object> f = awaitFlow(x -> "AUDIT".equals(x.get("verdict")) && dport(x) == 9000);
        assertThat(f.get("drop_reason_desc")).isEqualTo("POLICY_DENIED");
    }

    @Test
    void aLiveChangeKeepsAnOpenAllowedConnection() throws Exception {
        apply(WEB_EGRESS);
        NetpolFixture.Box web = fx.start("app=web").wire();
        awaitKnown(web);
        java.nio.file.Path out = java.nio.file.Files.createTempFile("vigil-netpol-", ".out");
        java.nio.file.Path go = java.nio.file.Path.of(out + ".go");
        Process listener = new ProcessBuilder("bash", "-c", "exec ip netns exec " + web.ns + " busybox nc -l -p 8080 > " + out).start();
        try {
            // the container connects (allowed), sends, waits for the go file, sends again
            Process client = new ProcessBuilder("bash", "-c", "echo $$ > " + web.cgroup().resolve("cgroup.procs") + " && exec nsenter -t "
                    + web.pid + " -n -- bash -c 'until exec 3<>/dev/tcp/" + NetpolFixture.HOST + "/8080; do sleep 0.05; done; echo before >&3; "
                    + "until [ -e " + go + " ]; do sleep 0.05; done; echo after >&3; exec 3>&-'").redirectErrorStream(true).start();
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!java.nio.file.Files.readString(out).contains("before")) {
                assertThat(System.nanoTime()).as("the first line arrived").isLessThan(end);
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            apply(WEB_EGRESS.replace("8000", "9000").replace("8100", "9100")); // 8080 no longer allowed
            assertThat(web.connect(NetpolFixture.HOST, 8080)).isEqualTo("EPERM"); // new connects are denied
            java.nio.file.Files.createFile(go);
            assertThat(client.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(listener.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(java.nio.file.Files.readString(out)).isEqualTo("before\nafter\n"); // the open one kept working
        } finally {
            listener.destroyForcibly();
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(go);
        }
    }

    @Test
    void aContainerStartedAfterThePolicyIsEnforcedFromItsFirstConnect() throws Exception {
        apply(WEB_EGRESS);
        // its first act is a connect to a port the policy does not allow; no interface yet, so an allowed connect
        // would fail with "Network is unreachable" while a denied one fails with EPERM before routing. Created, then
        // started once the agent has seen Docker's create event (labels); the kernel learns its cgroup from the
        // first socket. (With docker run, create and start come back to back: the agent must win that race.)
        String id = fx.create(List.of("/bin/busybox", "sh", "-c",
                "/bin/busybox nc 203.0.113.1 9000 </dev/null; /bin/busybox nc 203.0.113.1 8080 </dev/null; sleep 600"), "app=web");
        awaitKnown(id);
        NetpolFixture.Box late = fx.started(id);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String logs;
        while (!(logs = fx.docker.docker("logs", late.id)).contains("unreachable")) {
            assertThat(System.nanoTime()).as("the container ran its connects: %s", logs).isLessThan(end);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(logs.lines().toList()).hasSize(2);
        assertThat(logs.lines().findFirst().orElseThrow()).contains("Operation not permitted");
        Map<String, Object> f = awaitFlow(x -> "DROPPED".equals(x.get("verdict")) && dport(x) == 9000);
        assertThat(f.get("source").toString()).contains(late.id);
        assertThat(f.get("process").toString()).contains("busybox"); // nc is a busybox applet
    }
}
