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
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (engine.show().getOrDefault("CiliumNetworkPolicy", List.of()).stream().noneMatch(m -> b.id.startsWith((String) m.get("id")))) {
            assertThat(System.nanoTime()).as("container %s known to the enforcer", b.id).isLessThan(end);
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
}
