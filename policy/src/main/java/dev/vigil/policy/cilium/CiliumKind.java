package dev.vigil.policy.cilium;

import dev.vigil.policy.Enforcer;
import dev.vigil.policy.EnforcerContext;
import dev.vigil.policy.PolicyKind;
import dev.vigil.policy.YamlNode;
import dev.vigil.policy.cilium.CiliumPolicy.CidrSet;
import dev.vigil.policy.cilium.CiliumPolicy.PortRange;
import dev.vigil.policy.cilium.CiliumPolicy.Protocol;
import dev.vigil.policy.cilium.CiliumPolicy.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cilium.io/v2 CiliumNetworkPolicy} and {@code CiliumClusterwideNetworkPolicy}: Cilium's L3/L4 schema, read so
 * that a Cilium user's files load unchanged. What Vigil does not enforce (L7, FQDN, services, ICMP rules, host
 * policies, named ports) is refused at its position. {@code metadata.annotations["vigil.dev/audit"]: "true"} puts one
 * policy in audit mode.
 *
 * <p>The clusterwide kind is Cilium's: no namespace (a {@code metadata.namespace} is refused, as it would scope
 * nothing), and its selectors ({@code endpointSelector}, {@code fromEndpoints}/{@code toEndpoints}) match containers
 * of every namespace unless they name one ({@code k8s:io.kubernetes.pod.namespace}). Its {@code nodeSelector} (a host
 * firewall policy for the node itself) is refused at its position: Vigil enforces per container, and a host policy
 * that silently enforced nothing would be worse than none.
 */
public final class CiliumKind implements PolicyKind<CiliumPolicy> {
    public static final String AUDIT_ANNOTATION = "vigil.dev/audit";
    static final String NAMESPACE_LABEL = "io.kubernetes.pod.namespace";

    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "specs", "status", "description");
    private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations", "uid",
            "resourceVersion", "generation", "creationTimestamp");
    private static final Set<String> SPEC = Set.of("endpointSelector", "ingress", "egress", "ingressDeny", "egressDeny",
            "enableDefaultDeny", "description", "labels");
    private static final Map<String, String> SPEC_REFUSED = Map.of(
            "nodeSelector", "host (node) policies are not supported: Vigil enforces per container (select containers with endpointSelector)");
    private static final Set<String> INGRESS = Set.of("fromCIDR", "fromCIDRSet", "fromEntities", "fromEndpoints", "toPorts");
    private static final Set<String> EGRESS = Set.of("toCIDR", "toCIDRSet", "toEntities", "toEndpoints", "toPorts");
    private static final Map<String, String> RULE_REFUSED = Map.ofEntries(
            Map.entry("toFQDNs", "FQDN (DNS name) rules are not supported: use toCIDR"),
            Map.entry("toServices", "service rules are not supported: use toCIDR or toEndpoints"),
            Map.entry("toRequires", "toRequires is not supported (deprecated in Cilium)"),
            Map.entry("fromRequires", "fromRequires is not supported (deprecated in Cilium)"),
            Map.entry("toGroups", "cloud groups are not supported"),
            Map.entry("fromGroups", "cloud groups are not supported"),
            Map.entry("toNodes", "node selectors are not supported"),
            Map.entry("fromNodes", "node selectors are not supported"),
            Map.entry("icmps", "ICMP rules are not supported (restricted egress refuses raw and ICMP sockets)"),
            Map.entry("authentication", "mutual authentication is not supported"));
    private static final Set<String> PORT_RULE = Set.of("ports");
    private static final Map<String, String> PORT_RULE_REFUSED = Map.of(
            "rules", "L7 rules are not supported: Vigil enforces L3/L4 only",
            "listener", "Envoy listeners (L7) are not supported",
            "originatingTLS", "TLS interception (L7) is not supported",
            "terminatingTLS", "TLS interception (L7) is not supported",
            "serverNames", "TLS SNI matching (L7) is not supported");
    static final Set<String> ENTITIES = Set.of("world", "host", "all");

    @Override public String apiVersion() { return "cilium.io/v2"; }
    @Override public String kind() { return CiliumPolicy.KIND; }
    @Override public List<String> alsoReads() { return List.of(CiliumPolicy.CLUSTERWIDE_KIND); }
    @Override public String pinName() { return "netpol"; }
    @Override public Class<CiliumPolicy> policyClass() { return CiliumPolicy.class; }

    @Override
    public Enforcer<CiliumPolicy> enforcer(EnforcerContext context) {
        return NetpolEnforcer.start(context);
    }

    @Override
    public CiliumPolicy parse(YamlNode doc) {
        return parse(doc, CiliumPolicy.KIND);
    }

    @Override
    public CiliumPolicy parse(YamlNode doc, String kind) {
        boolean clusterwide = CiliumPolicy.CLUSTERWIDE_KIND.equals(kind);
        doc.allowOnly(TOP);
        YamlNode meta = doc.require("metadata").allowOnly(METADATA);
        String name = meta.require("name").text();
        if (clusterwide && meta.get("namespace").isPresent()) {
            throw meta.keyPosition("namespace").error("'metadata.namespace': a " + kind
                    + " is cluster-scoped and has no namespace (use a CiliumNetworkPolicy to select one namespace's containers)");
        }
        String ns = meta.string("namespace").orElse(null);
        boolean audit = meta.get("annotations").map(a -> "true".equals(a.stringMap().get(AUDIT_ANNOTATION))).orElse(false);
        String fullName = ns == null ? name : ns + "/" + name;
        if (doc.get("spec").isPresent() && doc.get("specs").isPresent()) {
            throw doc.keyPosition("specs").error("give 'spec' or 'specs', not both");
        }
        List<YamlNode> specs = doc.get("spec").map(List::of).orElseGet(() -> doc.list("specs"));
        if (specs.isEmpty()) throw doc.error("the policy needs 'spec' (or 'specs')");
        if (specs.size() > 1) {
            // several specs: one policy each, named name#i, so each one's rules keep their own position
            throw doc.keyPosition("specs").error("only one spec per policy is supported (split 'specs' into documents)");
        }
        return spec(fullName, ns, audit, clusterwide, specs.getFirst(), doc);
    }

    private CiliumPolicy spec(String name, String ns, boolean audit, boolean clusterwide, YamlNode spec, YamlNode doc) {
        for (String f : spec.fields().keySet()) {
            if (SPEC_REFUSED.containsKey(f)) throw spec.keyPosition(f).error("'spec." + f + "': " + SPEC_REFUSED.get(f));
        }
        spec.allowOnly(SPEC);
        Selector selector = selector(spec.require("endpointSelector"), ns);
        Boolean ddIn = null, ddEg = null;
        if (spec.get("enableDefaultDeny").isPresent()) {
            YamlNode d = spec.require("enableDefaultDeny").allowOnly(Set.of("ingress", "egress"));
            if (d.get("ingress").isPresent()) ddIn = d.bool("ingress", true);
            if (d.get("egress").isPresent()) ddEg = d.bool("egress", true);
        }
        return new CiliumPolicy(name, doc.position(), selector,
                rules(spec.list("ingress"), INGRESS, "from", ns, false), rules(spec.list("egress"), EGRESS, "to", ns, false),
                rules(spec.list("ingressDeny"), INGRESS, "from", ns, true), rules(spec.list("egressDeny"), EGRESS, "to", ns, true),
                ddIn, ddEg, audit, clusterwide);
    }

    private List<Rule> rules(List<YamlNode> items, Set<String> known, String dir, String ns, boolean deny) {
        List<Rule> out = new ArrayList<>();
        for (YamlNode r : items) {
            for (String f : r.fields().keySet()) {
                if (RULE_REFUSED.containsKey(f)) throw r.keyPosition(f).error("'" + r.path() + "." + f + "': " + RULE_REFUSED.get(f));
            }
            r.allowOnly(known);
            List<CidrSet> cidrs = new ArrayList<>();
            for (YamlNode c : r.list(dir + "CIDR")) {
                cidrs.add(new CidrSet(cidr(c), List.of()));
            }
            for (YamlNode c : r.list(dir + "CIDRSet")) {
                c.allowOnly(Set.of("cidr", "except"), Map.of("cidrGroupRef", "CIDR groups are not supported: list the CIDRs"));
                Cidr base = cidr(c.require("cidr"));
                List<Cidr> except = new ArrayList<>();
                for (YamlNode e : c.list("except")) {
                    Cidr x = cidr(e);
                    if (!base.covers(x)) throw e.error("except " + x + " is not inside " + base);
                    except.add(x);
                }
                cidrs.add(new CidrSet(base, except));
            }
            List<String> entities = new ArrayList<>();
            for (YamlNode e : r.list(dir + "Entities")) {
                String ent = e.text();
                if (!ENTITIES.contains(ent)) {
                    throw e.error("entity '" + ent + "' is not supported (supported: world, host, all)");
                }
                entities.add(ent);
            }
            List<Selector> endpoints = new ArrayList<>();
            for (YamlNode e : r.list(dir + "Endpoints")) {
                endpoints.add(selector(e, ns));
            }
            List<PortRange> ports = new ArrayList<>();
            for (YamlNode pr : r.list("toPorts")) {
                for (String f : pr.fields().keySet()) {
                    if (PORT_RULE_REFUSED.containsKey(f)) {
                        throw pr.keyPosition(f).error("'" + pr.path() + "." + f + "': " + PORT_RULE_REFUSED.get(f));
                    }
                }
                pr.allowOnly(PORT_RULE);
                for (YamlNode p : pr.list("ports")) {
                    ports.add(port(p));
                }
            }
            if (deny && ports.isEmpty() && !r.list("toPorts").isEmpty()) {
                throw r.error("a deny rule's toPorts has no ports");
            }
            out.add(new Rule(r.position(), cidrs, entities, endpoints, ports));
        }
        return out;
    }

    private static Cidr cidr(YamlNode n) {
        Cidr c = Cidr.parse(n.text());
        if (c == null) throw n.error("'" + n.text() + "' is not a CIDR (e.g. 10.0.0.0/8 or 2001:db8::/32)");
        return c;
    }

    private static PortRange port(YamlNode p) {
        p.allowOnly(Set.of("port", "endPort", "protocol"));
        String text = p.string("port").orElse("0");
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw p.require("port").error("named port '" + text + "' is not supported: give the number");
        }
        if (port < 0 || port > 65535) throw p.require("port").error("port " + port + " is out of range (0-65535)");
        int end = 0;
        if (p.get("endPort").isPresent()) {
            end = (int) p.require("endPort").integer(0, 65535);
            if (end != 0 && end < port) throw p.require("endPort").error("endPort " + end + " is below port " + port);
        }
        String proto = p.string("protocol").orElse("ANY");
        Protocol pr = switch (proto) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "ANY" -> Protocol.ANY;
            default -> throw p.require("protocol").error("protocol " + proto + " is not supported (TCP, UDP or ANY)");
        };
        return new PortRange(port, end, pr);
    }

    /** matchLabels/matchExpressions; in a namespaced policy, a selector that does not name a namespace means its own. */
    private static Selector selector(YamlNode n, String ns) {
        n.allowOnly(Set.of("matchLabels", "matchExpressions"));
        Map<String, String> labels = new LinkedHashMap<>();
        n.get("matchLabels").ifPresent(m -> m.stringMap().forEach((k, v) -> labels.put(Selector.normalize(k), v)));
        List<Selector.Expression> exprs = new ArrayList<>();
        for (YamlNode e : n.list("matchExpressions")) {
            e.allowOnly(Set.of("key", "operator", "values"));
            // Cilium's own examples write "in": operators are matched without case
            String op = switch (e.require("operator").text().toLowerCase(java.util.Locale.ROOT)) {
                case "in" -> "In";
                case "notin" -> "NotIn";
                case "exists" -> "Exists";
                case "doesnotexist" -> "DoesNotExist";
                default -> e.require("operator").text();
            };
            if (!Set.of("In", "NotIn", "Exists", "DoesNotExist").contains(op)) {
                throw e.require("operator").error("operator '" + op + "' is not one of In, NotIn, Exists, DoesNotExist");
            }
            List<String> values = e.list("values").stream().map(YamlNode::text).toList();
            if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) throw e.error(op + " needs values");
            exprs.add(new Selector.Expression(Selector.normalize(e.require("key").text()), op, values));
        }
        Selector s = new Selector(labels, exprs);
        if (ns != null && !s.mentions(NAMESPACE_LABEL)) {
            Map<String, String> withNs = new LinkedHashMap<>(labels);
            withNs.put(NAMESPACE_LABEL, ns);
            s = new Selector(withNs, exprs);
        }
        return s;
    }
}
