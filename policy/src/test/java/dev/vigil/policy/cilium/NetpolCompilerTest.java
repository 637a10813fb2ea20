package dev.vigil.policy.cilium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.policy.PolicyKinds;
import dev.vigil.policy.PolicyLoader;
import dev.vigil.policy.PolicyOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the kernel maps get, checked by evaluating them as the program does (longest prefix, then ports). */
class NetpolCompilerTest {
    static final CiliumKind KIND = new CiliumKind();
    static final PolicyLoader LOADER = new PolicyLoader(PolicyKinds.of(KIND));
    static final NetpolCompiler.Endpoint WEB = new NetpolCompiler.Endpoint(1, "a".repeat(64), "web", "img", Map.of("app", "web"), List.of());
    static final NetpolCompiler.Endpoint DB = new NetpolCompiler.Endpoint(2, "b".repeat(64), "db", "img", Map.of("app", "db"),
            List.of(Cidr.parse("192.0.2.7")));

    static List<NetpolCompiler.Compiled> compile(PolicyOptions.Enforcement mode, String yaml) {
        return new NetpolCompiler(new PolicyOptions(mode, false, Map.of()), List.of(Cidr.parse("198.51.100.1")))
                .compile(LOADER.loadText("p.yaml", yaml).of(KIND), List.of(WEB, DB));
    }

    /** The program's decision in Java: "allow", "deny" (deny rule) or "default" (no rule, enforced). */
    static String decide(NetpolCompiler.Direction d, String ip, int proto, int port) {
        Cidr a = Cidr.parse(ip);
        long l3 = 0;
        int best = -1;
        for (var e : d.cidrs().entrySet()) {
            if (e.getKey().covers(a) && e.getKey().prefix() > best) {
                best = e.getKey().prefix();
                l3 = e.getValue();
            }
        }
        long l4 = d.anyPort() | d.ports().getOrDefault(NetpolCompiler.Direction.portKey(proto, port), 0L);
        for (NetpolCompiler.Range r : d.ranges()) {
            if (r.proto() == proto && port >= r.lo() && port <= r.hi()) l4 |= r.rules();
        }
        long m = l3 & l4;
        if ((m & d.denyMask()) != 0) return "deny";
        if (m != 0) return "allow";
        return d.enforced() ? "default" : "allow";
    }

    static final String POLICY = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: web}
            spec:
              endpointSelector: {matchLabels: {app: web}}
              egress:
              - toCIDRSet:
                - cidr: 10.0.0.0/8
                  except: [10.96.0.0/12]
              - toCIDR: [10.100.0.0/16]
                toPorts: [{ports: [{port: "443", protocol: TCP}]}]
              - toPorts: [{ports: [{port: "8000", endPort: 8999}]}]
              - toEndpoints: [{matchLabels: {app: db}}]
                toPorts: [{ports: [{port: "5432"}]}]
              - toEntities: [world]
                toPorts: [{ports: [{port: "53", protocol: UDP}]}]
              egressDeny:
              - toCIDR: [10.1.2.3/32]
            """;

    @Test
    void exceptsOverlapsRangesDenyAndPeersEvaluateAsCiliumWould() {
        NetpolCompiler.Direction eg = compile(PolicyOptions.Enforcement.DEFAULT, POLICY).getFirst().egress();
        assertThat(decide(eg, "10.1.1.1", 6, 22)).isEqualTo("allow");      // the /8, any port
        assertThat(decide(eg, "10.96.0.1", 6, 22)).isEqualTo("default");   // in its except
        assertThat(decide(eg, "10.100.0.1", 6, 443)).isEqualTo("allow");   // inside the except, but another rule's /16 + port
        assertThat(decide(eg, "10.100.0.1", 6, 80)).isEqualTo("default");  // that rule's port only
        assertThat(decide(eg, "10.96.5.5", 17, 8500)).isEqualTo("allow");  // the port-range rule has every peer
        assertThat(decide(eg, "10.1.2.3", 6, 22)).isEqualTo("deny");       // deny beats the /8 allow
        assertThat(decide(eg, "192.0.2.7", 6, 5432)).isEqualTo("allow");   // the db container's address
        assertThat(decide(eg, "192.0.2.8", 6, 5432)).isEqualTo("default");
        assertThat(decide(eg, "8.8.8.8", 17, 53)).isEqualTo("allow");      // world
        assertThat(decide(eg, "198.51.100.1", 17, 53)).isEqualTo("default"); // the host is not world
        assertThat(eg.ranges()).hasSize(2); // 8000-8999 for TCP and UDP
    }

    @Test
    void selectionAndEnforcementModes() {
        var def = compile(PolicyOptions.Enforcement.DEFAULT, POLICY);
        assertThat(def.get(0).selected()).isTrue();
        assertThat(def.get(0).egress().enforced()).isTrue();
        assertThat(def.get(0).ingress().enforced()).isFalse();
        assertThat(def.get(1).selected()).isFalse();
        assertThat(def.get(1).flags() & 0xf).isZero(); // db: untouched (the high bits only say which lookups to skip)
        var always = compile(PolicyOptions.Enforcement.ALWAYS, POLICY);
        assertThat(always.get(1).egress().enforced()).isTrue();
        assertThat(decide(always.get(1).ingress(), "10.0.0.1", 6, 80)).isEqualTo("default");
        var never = compile(PolicyOptions.Enforcement.NEVER, POLICY);
        assertThat(never.get(0).egress().enforced()).isFalse();
    }

    @Test
    void tenThousandCidrsCompileAndTooManyRulesAreRefused() {
        StringBuilder sb = new StringBuilder("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: many}\n"
                + "spec:\n  endpointSelector: {}\n  egress:\n  - toCIDR:\n");
        for (int i = 0; i < 10_000; i++) sb.append("    - 10.").append(i / 256).append('.').append(i % 256).append(".0/24\n");
        var c = compile(PolicyOptions.Enforcement.DEFAULT, sb.toString());
        assertThat(c.getFirst().egress().cidrs()).hasSize(10_000);
        StringBuilder rules = new StringBuilder("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: r}\n"
                + "spec:\n  endpointSelector: {}\n  egress:\n");
        for (int i = 0; i < 65; i++) rules.append("  - toCIDR: [10.0.").append(i).append(".0/24]\n");
        assertThatThrownBy(() -> compile(PolicyOptions.Enforcement.DEFAULT, rules.toString()))
                .hasMessageContaining("65 egress rules select it; at most 64");
    }
    @Test
    void clusterwideAndNamespacedPoliciesCombineDenyBeatsAllowAcrossBoth() {
        var c = compile(PolicyOptions.Enforcement.DEFAULT, """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: web}
                spec:
                  endpointSelector: {matchLabels: {app: web}}
                  egress:
                  - toCIDR: [10.0.0.0/8]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata: {name: no-metadata-service}
                spec:
                  endpointSelector: {}
                  egressDeny:
                  - toCIDR: [10.1.2.3/32]
                """);
        NetpolCompiler.Compiled web = c.get(0), db = c.get(1);
        assertThat(web.policies()).containsExactly("web", "no-metadata-service");
        assertThat(web.kinds()).containsExactly("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy");
        assertThat(decide(web.egress(), "10.9.9.9", 6, 80)).isEqualTo("allow");
        assertThat(decide(web.egress(), "10.1.2.3", 6, 80)).isEqualTo("deny"); // the clusterwide deny beats the allow
        assertThat(web.egress().rules()).extracting(NetpolCompiler.RuleRef::kind)
                .containsExactly("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy");
        // db, in no namespace and selected by the clusterwide policy alone: its deny rule, and (as any policy with
        // egress rules, deny rules included) egress default deny
        assertThat(db.selected()).isTrue();
        assertThat(db.policies()).containsExactly("no-metadata-service");
        assertThat(decide(db.egress(), "10.1.2.3", 6, 80)).isEqualTo("deny");
        assertThat(decide(db.egress(), "10.9.9.9", 6, 80)).isEqualTo("default");
    }
}
