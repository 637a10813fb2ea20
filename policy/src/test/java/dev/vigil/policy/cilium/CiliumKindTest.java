package dev.vigil.policy.cilium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.policy.PolicyException;
import dev.vigil.policy.PolicyKinds;
import dev.vigil.policy.PolicyLoader;
import dev.vigil.policy.PolicySet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cilium's own example policies load unchanged; what Vigil does not enforce is refused at its position. */
class CiliumKindTest {
    static final CiliumKind KIND = new CiliumKind();
    static final PolicyLoader LOADER = new PolicyLoader(PolicyKinds.of(KIND));

    static Path resource(String name) throws Exception {
        return Path.of(CiliumKindTest.class.getResource("/" + name).toURI());
    }

    static CiliumPolicy one(String yaml) {
        return LOADER.loadText("p.yaml", yaml).of(KIND).getFirst();
    }

    static String problem(String yaml) {
        try {
            LOADER.loadText("p.yaml", yaml);
        } catch (PolicyException e) {
            return e.getMessage();
        }
        throw new AssertionError("loaded: " + yaml);
    }

    @Test
    void ciliumsDocumentationExamplesLoad() throws Exception {
        PolicySet set = LOADER.load(List.of(resource("cilium-examples")));
        assertThat(set.of(KIND)).extracting(CiliumPolicy::name).containsExactlyInAnyOrder("cidr-rule", "deny-egress-example",
                "or-statement-policy", "deny-all-egress", "l4-port-range-rule", "l4-rule", "cidr-l4-rule", "l4-rules");
        CiliumPolicy cidr = set.of(KIND).stream().filter(p -> p.name().equals("cidr-rule")).findFirst().orElseThrow();
        assertThat(cidr.egress().get(1).cidrs().getFirst().except()).containsExactly(Cidr.parse("10.96.0.0/12"));
        assertThat(cidr.enforcesEgress()).isTrue();
        assertThat(cidr.enforcesIngress()).isFalse();
        CiliumPolicy range = set.of(KIND).stream().filter(p -> p.name().equals("l4-port-range-rule")).findFirst().orElseThrow();
        assertThat(range.egress().getFirst().ports().getFirst().toString()).isEqualTo("80-444/TCP");
        CiliumPolicy or = set.of(KIND).stream().filter(p -> p.name().equals("or-statement-policy")).findFirst().orElseThrow();
        assertThat(or.ingress().getFirst().endpoints().get(1).matches(Map.of("cilium.example.com/policy", "strict"))).isTrue();
        assertThat(or.endpointSelector().matches(Map.of())).isTrue();
    }

    @Test
    void theL7ExampleIsRefusedWithItsPosition() throws Exception {
        Path l7 = resource("cilium-examples-l7/l7.yaml");
        assertThatThrownBy(() -> LOADER.load(List.of(l7))).hasMessage(
                l7 + ":18:7: 'spec.ingress[1].toPorts[0].rules': L7 rules are not supported: Vigil enforces L3/L4 only");
    }

    @Test
    void unsupportedFeaturesAreRefusedWhereTheyAre() {
        String head = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec:\n  endpointSelector: {}\n";
        assertThat(problem(head + "  egress:\n  - toFQDNs:\n    - matchName: example.com\n"))
                .isEqualTo("p.yaml:7:5: 'spec.egress[0].toFQDNs': FQDN (DNS name) rules are not supported: use toCIDR");
        assertThat(problem(head + "  egress:\n  - toServices: []\n"))
                .startsWith("p.yaml:7:5: 'spec.egress[0].toServices': service rules are not supported");
        assertThat(problem(head + "  egress:\n  - toEntities: [cluster]\n"))
                .isEqualTo("p.yaml:7:18: entity 'cluster' is not supported (supported: world, host, all)");
        assertThat(problem(head + "  egress:\n  - toCIDR: [10.0.0.300/8]\n"))
                .isEqualTo("p.yaml:7:14: '10.0.0.300/8' is not a CIDR (e.g. 10.0.0.0/8 or 2001:db8::/32)");
        assertThat(problem(head + "  egress:\n  - toPorts:\n    - ports: [{port: http}]\n"))
                .isEqualTo("p.yaml:8:22: named port 'http' is not supported: give the number");
        assertThat(problem(head + "  egress:\n  - toPorts:\n    - ports: [{port: \"80\", protocol: SCTP}]\n"))
                .isEqualTo("p.yaml:8:38: protocol SCTP is not supported (TCP, UDP or ANY)");
        assertThat(problem(head + "  egress:\n  - icmps: [{fields: [{type: 8}]}]\n"))
                .startsWith("p.yaml:7:5: 'spec.egress[0].icmps': ICMP rules are not supported");
        assertThat(problem(head + "  egress:\n  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except: [192.168.0.0/16]\n"))
                .isEqualTo("p.yaml:9:16: except 192.168.0.0/16 is not inside 10.0.0.0/8");
        assertThat(problem(head.replace("  endpointSelector: {}\n", "  nodeSelector: {}\n")))
                .startsWith("p.yaml:5:3: 'spec.nodeSelector': host (node) policies are not supported");
        assertThat(problem(head + "  egres: []\n")).startsWith("p.yaml:6:3: unknown field 'spec.egres'");
    }

    @Test
    void namespacedPoliciesSelectTheirNamespaceAndAnnotationsAudit() {
        CiliumPolicy p = one("""
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: api
                  namespace: prod
                  annotations: {vigil.dev/audit: "true"}
                spec:
                  endpointSelector: {matchLabels: {k8s:app: api}}
                  ingress:
                  - fromEndpoints: [{matchLabels: {app: web}}]
                  enableDefaultDeny: {ingress: false}
                """);
        assertThat(p.name()).isEqualTo("prod/api");
        assertThat(p.audit()).isTrue();
        assertThat(p.endpointSelector().matches(Map.of("app", "api", "io.kubernetes.pod.namespace", "prod"))).isTrue();
        assertThat(p.endpointSelector().matches(Map.of("app", "api"))).isFalse(); // a Docker container has no namespace
        assertThat(p.ingress().getFirst().endpoints().getFirst().matches(Map.of("app", "web", "io.kubernetes.pod.namespace", "prod"))).isTrue();
        assertThat(p.enforcesIngress()).isFalse(); // enableDefaultDeny.ingress: false
    }
    static final String CLUSTERWIDE = """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata:
              name: wildcard-from-endpoints
            spec:
              description: "ingress to kube-dns from every endpoint of the cluster"
              endpointSelector:
                matchLabels:
                  k8s:io.kubernetes.pod.namespace: kube-system
                  k8s-app: kube-dns
              ingress:
              - fromEndpoints:
                - {}
                toPorts:
                - ports:
                  - port: "53"
                    protocol: UDP
            """;

    @Test
    void clusterwidePoliciesSelectAcrossNamespacesAndCombineWithNamespacedOnes() {
        PolicySet set = LOADER.loadText("p.yaml", CLUSTERWIDE + "---\n" + """
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata: {name: every-app}
                spec:
                  endpointSelector: {matchLabels: {app: api}}
                  egressDeny:
                  - toCIDR: [10.1.2.3/32]
                  egress:
                  - toEndpoints: [{matchLabels: {app: db}}]
                ---
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: every-app}
                spec:
                  endpointSelector: {matchLabels: {app: api}}
                  egress:
                  - toEndpoints: [{matchLabels: {app: db}}]
                """);
        List<CiliumPolicy> all = set.of(KIND);
        assertThat(all).extracting(CiliumPolicy::documentKind).containsExactly("CiliumClusterwideNetworkPolicy",
                "CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy"); // one kind, one enforcer: their rules combine
        CiliumPolicy dns = all.getFirst();
        assertThat(dns.clusterwide()).isTrue();
        assertThat(dns.name()).isEqualTo("wildcard-from-endpoints");
        assertThat(dns.endpointSelector().matches(Map.of("k8s-app", "kube-dns", "io.kubernetes.pod.namespace", "kube-system"))).isTrue();
        assertThat(dns.endpointSelector().matches(Map.of("k8s-app", "kube-dns", "io.kubernetes.pod.namespace", "default"))).isFalse();
        // {} in a clusterwide policy: every endpoint of every namespace (a namespaced policy's {} is its namespace)
        assertThat(dns.ingress().getFirst().endpoints().getFirst().matches(Map.of("io.kubernetes.pod.namespace", "prod"))).isTrue();
        assertThat(dns.ingress().getFirst().endpoints().getFirst().matches(Map.of("app", "docker-only"))).isTrue();
        CiliumPolicy apps = all.get(1);
        assertThat(apps.endpointSelector().matches(Map.of("app", "api", "io.kubernetes.pod.namespace", "a"))).isTrue();
        assertThat(apps.endpointSelector().matches(Map.of("app", "api", "io.kubernetes.pod.namespace", "b"))).isTrue();
        assertThat(apps.egress().getFirst().endpoints().getFirst().matches(Map.of("app", "db", "io.kubernetes.pod.namespace", "b"))).isTrue();
    }

    @Test
    void clusterwideListsLoadTheirItemsAsClusterwide() {
        PolicySet set = LOADER.loadText("p.yaml", """
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicyList
                items:
                - metadata: {name: a}
                  spec: {endpointSelector: {}, egress: [{toCIDR: [10.0.0.0/8]}]}
                - metadata: {name: b}
                  spec: {endpointSelector: {}, ingress: [{fromEntities: [world]}]}
                """);
        assertThat(set.of(KIND)).extracting(CiliumPolicy::name).containsExactly("a", "b");
        assertThat(set.of(KIND)).allMatch(CiliumPolicy::clusterwide);
    }

    @Test
    void clusterwideNamesAreTheirOwnAndWhatTheyCannotDoIsRefusedWhereItIs() {
        String ccnp = "apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec:\n  endpointSelector: {}\n";
        String cnp = ccnp.replace("CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy");
        assertThat(LOADER.loadText("p.yaml", ccnp + "---\n" + cnp).size()).as("a CNP and a CCNP may share a name").isEqualTo(2);
        assertThatThrownBy(() -> LOADER.load(List.of(write(ccnp + "---\n" + ccnp))))
                .hasMessageEndingWith(":7:1: duplicate CiliumClusterwideNetworkPolicy 'x' (first at " + lastWritten + ":1:1)");
        // Cilium's host firewall example: a nodeSelector policy is for the node itself, which Vigil does not enforce
        assertThat(problem("""
                apiVersion: "cilium.io/v2"
                kind: CiliumClusterwideNetworkPolicy
                metadata:
                  name: "demo-host-policy"
                spec:
                  description: ""
                  nodeSelector:
                    matchLabels:
                      node-access: ssh
                  ingress:
                  - toPorts:
                    - ports:
                      - port: "22"
                        protocol: TCP
                """)).isEqualTo("p.yaml:7:3: 'spec.nodeSelector': host (node) policies are not supported: Vigil enforces per "
                + "container (select containers with endpointSelector)");
        assertThat(problem(ccnp.replace("metadata: {name: x}", "metadata: {name: x, namespace: prod}")))
                .isEqualTo("p.yaml:3:21: 'metadata.namespace': a CiliumClusterwideNetworkPolicy is cluster-scoped and has no "
                        + "namespace (use a CiliumNetworkPolicy to select one namespace's containers)");
        assertThat(problem(ccnp + "  egress:\n  - toFQDNs: [{matchName: example.com}]\n"))
                .isEqualTo("p.yaml:7:5: 'spec.egress[0].toFQDNs': FQDN (DNS name) rules are not supported: use toCIDR");
        assertThat(problem(ccnp.replace("kind: CiliumClusterwideNetworkPolicy", "kind: CiliumClusterwidePolicy")))
                .startsWith("p.yaml:2:7: unsupported policy kind 'cilium.io/v2 CiliumClusterwidePolicy' (supported: cilium.io/v2 "
                        + "CiliumNetworkPolicy, cilium.io/v2 CiliumClusterwideNetworkPolicy)");
    }

    static Path lastWritten;

    static Path write(String text) throws Exception {
        lastWritten = java.nio.file.Files.createTempFile("vigil-ccnp", ".yaml");
        lastWritten.toFile().deleteOnExit();
        java.nio.file.Files.writeString(lastWritten, text);
        return lastWritten;
    }
}
