package dev.vigil.policy.cilium;

import dev.vigil.policy.PolicyOptions;
import dev.vigil.policy.Position;
import dev.vigil.policy.cilium.CiliumPolicy.CidrSet;
import dev.vigil.policy.cilium.CiliumPolicy.PortRange;
import dev.vigil.policy.cilium.CiliumPolicy.Protocol;
import dev.vigil.policy.cilium.CiliumPolicy.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles policies for the known containers into what the kernel maps hold, per container and direction: the rule
 * bits (up to 64), which are deny rules, which have no port restriction, the CIDR prefixes with the bits of every
 * rule that covers them (an {@code except} subtracts its rule below it), exact ports and port ranges. Pure: tested
 * without a kernel.
 */
public final class NetpolCompiler {
    public static final int MAX_RULES = 64;
    public static final int MAX_RANGES = 16;
    static final int EGRESS = 0, INGRESS = 1;
    static final int TCP = 6, UDP = 17;

    /** What the compiler knows of a container: its key in the kernel, labels, and addresses (for toEndpoints). */
    public record Endpoint(long key, String id, String name, String image, Map<String, String> labels, List<Cidr> addresses) {}

    /** The policy and rule a bit stands for, for flow records. */
    public record RuleRef(String policy, String kind, Position where, boolean deny) {}

    public record Range(int lo, int hi, int proto, long rules) {}

    /** One direction of one container. */
    public record Direction(boolean enforced, long denyMask, long anyPort, Map<Cidr, Long> cidrs,
            Map<Long, Long> ports, List<Range> ranges, List<RuleRef> rules) {
        /** Key of the ports map entry: proto << 16 | port. */
        static long portKey(int proto, int port) { return ((long) proto << 16) | port; }
    }

    /** {@code policies}: the names of the policies selecting the container, {@code kinds} their kinds (same order). */
    public record Compiled(Endpoint endpoint, boolean selected, boolean audit, List<String> policies, List<String> kinds,
            Direction egress, Direction ingress) {
        public int flags() {
            int f = 0;
            if (egress.enforced()) f |= 1;
            if (ingress.enforced()) f |= 2;
            if (audit) f |= 4;
            if (selected) f |= 8;
            // lookups the kernel skips (netpol.h NETPOL_EP_NO_PORTS / NO_RANGES, shifted by the direction)
            if (egress.ports().isEmpty()) f |= 1 << 4;
            if (ingress.ports().isEmpty()) f |= 1 << 5;
            if (egress.ranges().isEmpty()) f |= 1 << 6;
            if (ingress.ranges().isEmpty()) f |= 1 << 7;
            return f;
        }
    }

    private final PolicyOptions options;
    private final List<Cidr> hostAddresses;

    public NetpolCompiler(PolicyOptions options, List<Cidr> hostAddresses) {
        this.options = options;
        this.hostAddresses = List.copyOf(hostAddresses);
    }

    public List<Compiled> compile(List<CiliumPolicy> policies, List<Endpoint> endpoints) {
        List<Compiled> out = new ArrayList<>();
        for (Endpoint e : endpoints) {
            out.add(compile(policies, e, endpoints));
        }
        return out;
    }

    Compiled compile(List<CiliumPolicy> policies, Endpoint e, List<Endpoint> all) {
        List<CiliumPolicy> selecting = policies.stream().filter(p -> p.endpointSelector().matches(e.labels())).toList();
        boolean audit = options.audit() || selecting.stream().anyMatch(CiliumPolicy::audit);
        var mode = options.enforcement();
        boolean enfEg = mode == PolicyOptions.Enforcement.ALWAYS
                || mode == PolicyOptions.Enforcement.DEFAULT && selecting.stream().anyMatch(CiliumPolicy::enforcesEgress);
        boolean enfIn = mode == PolicyOptions.Enforcement.ALWAYS
                || mode == PolicyOptions.Enforcement.DEFAULT && selecting.stream().anyMatch(CiliumPolicy::enforcesIngress);
        List<Tagged> eg = new ArrayList<>(), in = new ArrayList<>();
        for (CiliumPolicy p : selecting) {
            p.egress().forEach(r -> eg.add(new Tagged(p, r, false)));
            p.egressDeny().forEach(r -> eg.add(new Tagged(p, r, true)));
            p.ingress().forEach(r -> in.add(new Tagged(p, r, false)));
            p.ingressDeny().forEach(r -> in.add(new Tagged(p, r, true)));
        }
        boolean never = mode == PolicyOptions.Enforcement.NEVER;
        return new Compiled(e, !selecting.isEmpty(), audit || never, selecting.stream().map(CiliumPolicy::name).toList(),
                selecting.stream().map(CiliumPolicy::documentKind).toList(),
                direction(e, "egress", enfEg, eg, all), direction(e, "ingress", enfIn, in, all));
    }

    private record Tagged(CiliumPolicy policy, Rule rule, boolean deny) {}

    private record Entry(Cidr cidr, List<Cidr> except, long bit) {}

    private Direction direction(Endpoint e, String dirName, boolean enforced, List<Tagged> rules, List<Endpoint> all) {
        if (rules.size() > MAX_RULES) {
            throw new IllegalArgumentException("container " + e.name() + ": " + rules.size() + " " + dirName
                    + " rules select it; at most " + MAX_RULES + " are supported per direction");
        }
        long deny = 0, anyPort = 0;
        List<Entry> entries = new ArrayList<>();
        Map<Long, Long> ports = new HashMap<>();
        Map<List<Integer>, Long> ranges = new LinkedHashMap<>();
        List<RuleRef> refs = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Tagged t = rules.get(i);
            Rule r = t.rule();
            long bit = 1L << i;
            refs.add(new RuleRef(t.policy().name(), t.policy().documentKind(), r.where(), t.deny()));
            if (t.deny()) deny |= bit;
            if (!r.hasPeers() && r.ports().isEmpty()) continue; // {}: matches nothing (but the direction is enforced)
            if (!r.hasPeers()) {
                entries.add(new Entry(Cidr.ALL4, List.of(), bit));
                entries.add(new Entry(Cidr.ALL6, List.of(), bit));
            }
            for (CidrSet c : r.cidrs()) entries.add(new Entry(c.cidr(), c.except(), bit));
            for (String ent : r.entities()) {
                switch (ent) {
                    case "all" -> {
                        entries.add(new Entry(Cidr.ALL4, List.of(), bit));
                        entries.add(new Entry(Cidr.ALL6, List.of(), bit));
                    }
                    case "world" -> {
                        entries.add(new Entry(Cidr.ALL4, hostAddresses.stream().filter(h -> h.family() == 4).toList(), bit));
                        entries.add(new Entry(Cidr.ALL6, hostAddresses.stream().filter(h -> h.family() == 6).toList(), bit));
                    }
                    case "host" -> hostAddresses.forEach(h -> entries.add(new Entry(h, List.of(), bit)));
                    default -> throw new IllegalStateException(ent);
                }
            }
            for (Selector s : r.endpoints()) {
                for (Endpoint peer : all) {
                    if (s.matches(peer.labels())) peer.addresses().forEach(a -> entries.add(new Entry(a, List.of(), bit)));
                }
            }
            if (r.ports().isEmpty()) {
                anyPort |= bit;
                continue;
            }
            for (PortRange p : r.ports()) {
                for (int proto : p.protocol() == Protocol.ANY ? new int[] {TCP, UDP} : new int[] {p.protocol() == Protocol.TCP ? TCP : UDP}) {
                    if (p.lo() == p.hi()) {
                        ports.merge(Direction.portKey(proto, p.lo()), bit, (a, b) -> a | b);
                    } else {
                        ranges.merge(List.of(p.lo(), p.hi(), proto), bit, (a, b) -> a | b);
                    }
                }
            }
        }
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("container " + e.name() + ": " + ranges.size() + " " + dirName
                    + " port ranges (endPort); at most " + MAX_RANGES + " are supported per direction");
        }
        List<Range> rangeList = new ArrayList<>();
        ranges.forEach((k, v) -> rangeList.add(new Range(k.get(0), k.get(1), k.get(2), v)));
        return new Direction(enforced, deny, anyPort, prefixes(entries), ports, rangeList, refs);
    }

    /**
     * Every prefix (CIDR or except) with the bits of the entries that contain it and do not except it. For an address
     * whose longest matching prefix is P, an entry contains the address iff its CIDR covers P, and excepts it iff one of
     * its excepts covers P: so P's bits are exactly the rules that match the address.
     */
    static Map<Cidr, Long> prefixes(List<Entry> entries) {
        Map<Cidr, List<Entry>> byCidr = new HashMap<>();
        java.util.Set<Cidr> keys = new java.util.LinkedHashSet<>();
        for (Entry en : entries) {
            byCidr.computeIfAbsent(en.cidr(), k -> new ArrayList<>()).add(en);
            keys.add(en.cidr());
            keys.addAll(en.except());
        }
        Map<Cidr, Long> out = new LinkedHashMap<>();
        for (Cidr p : keys) {
            long bits = 0;
            for (int len = 0; len <= p.prefix(); len++) {
                List<Entry> at = byCidr.get(p.truncate(len));
                if (at == null) continue;
                for (Entry en : at) {
                    boolean excepted = false;
                    for (Cidr x : en.except()) {
                        if (x.covers(p)) { excepted = true; break; }
                    }
                    if (!excepted) bits |= en.bit();
                }
            }
            out.put(p, bits);
        }
        return out;
    }
}
