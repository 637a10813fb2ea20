package dev.vigil.policy.cilium;

import dev.vigil.policy.Policy;
import dev.vigil.policy.Position;
import java.util.List;

/**
 * One CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy ({@code clusterwide}; cilium.io/v2), L3/L4 only: which
 * containers it selects, and its rules per direction. A direction is default deny for a selected container once a
 * policy has rules (allow or deny) for it, unless {@code enableDefaultDeny} says false for that direction. Both kinds
 * combine: a container's rules are those of every policy of either kind that selects it.
 */
public record CiliumPolicy(String name, Position position, Selector endpointSelector, List<Rule> ingress,
        List<Rule> egress, List<Rule> ingressDeny, List<Rule> egressDeny, Boolean defaultDenyIngress,
        Boolean defaultDenyEgress, boolean audit, boolean clusterwide) implements Policy {
    public static final String KIND = "CiliumNetworkPolicy", CLUSTERWIDE_KIND = "CiliumClusterwideNetworkPolicy";

    /** {@link #KIND} or {@link #CLUSTERWIDE_KIND}: names are unique per kind, as in Kubernetes. */
    @Override
    public String documentKind() {
        return clusterwide ? CLUSTERWIDE_KIND : KIND;
    }

    public enum Protocol { TCP, UDP, ANY }

    /** A port or range ({@code endPort}); port 0: every port of the protocol. */
    public record PortRange(int port, int endPort, Protocol protocol) {
        public int lo() { return port == 0 ? 0 : port; }
        public int hi() { return port == 0 ? 65535 : Math.max(port, endPort); }
        @Override public String toString() {
            return (port == 0 ? "*" : hi() > lo() ? lo() + "-" + hi() : String.valueOf(port)) + "/" + protocol;
        }
    }

    /** A CIDR with its exceptions ({@code toCIDRSet} / {@code fromCIDRSet}; a plain CIDR has none). */
    public record CidrSet(Cidr cidr, List<Cidr> except) {}

    /**
     * One rule: its peers (CIDRs, entities, other containers by labels; none given means every peer when ports are,
     * nothing otherwise) and its ports (none: every port). {@code where} is the rule's position, for flows.
     */
    public record Rule(Position where, List<CidrSet> cidrs, List<String> entities, List<Selector> endpoints,
            List<PortRange> ports) {
        public boolean hasPeers() {
            return !cidrs.isEmpty() || !entities.isEmpty() || !endpoints.isEmpty();
        }
    }

    /** Whether the policy puts the selected containers' ingress (egress) into default deny. */
    public boolean enforcesIngress() {
        return defaultDenyIngress != null ? defaultDenyIngress && hasIngress() : hasIngress();
    }

    public boolean enforcesEgress() {
        return defaultDenyEgress != null ? defaultDenyEgress && hasEgress() : hasEgress();
    }

    public boolean hasIngress() {
        return !ingress.isEmpty() || !ingressDeny.isEmpty();
    }

    public boolean hasEgress() {
        return !egress.isEmpty() || !egressDeny.isEmpty();
    }
}
