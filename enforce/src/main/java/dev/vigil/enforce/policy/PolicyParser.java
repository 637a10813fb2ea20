package dev.vigil.enforce.policy;

import dev.vigil.enforce.policy.EnforcementPolicy.Action;
import dev.vigil.enforce.policy.EnforcementPolicy.BinaryMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.CapMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.CapSet;
import dev.vigil.enforce.policy.EnforcementPolicy.NsKind;
import dev.vigil.enforce.policy.EnforcementPolicy.NsMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.CallKind;
import dev.vigil.enforce.policy.EnforcementPolicy.ContainerSelector;
import dev.vigil.enforce.policy.EnforcementPolicy.Exec;
import dev.vigil.enforce.policy.EnforcementPolicy.Mode;
import dev.vigil.enforce.policy.EnforcementPolicy.Net;
import dev.vigil.enforce.policy.EnforcementPolicy.Open;
import dev.vigil.enforce.policy.EnforcementPolicy.Operator;
import dev.vigil.enforce.policy.EnforcementPolicy.Rule;
import dev.vigil.enforce.policy.EnforcementPolicy.Target;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one EnforcementPolicy document through the policy mechanism's {@link YamlNode}, so that every error says
 * FILE:LINE:COL. Unknown fields are errors (a typo must not silently widen or drop a policy); fields of Tetragon's
 * that Vigil does not enforce yet are refused with the reason.
 */
public final class PolicyParser {
    private PolicyParser() {}

    /** What the kernel side holds per rule (vigil/enforce.h ENF_MAX_CAP_CONDS, ENF_MAX_NS_CONDS, ENF_NS_VALS). */
    public static final int MAX_CAP_CONDS = 3, MAX_NS_CONDS = 4, MAX_NS_VALUES = 4;

    public static EnforcementPolicy parse(YamlNode doc) {
        doc.allowOnly(Set.of("apiVersion", "kind", "metadata", "spec"));
        YamlNode meta = doc.require("metadata").allowOnly(Set.of("name", "namespace", "labels", "annotations"));
        YamlNode nameNode = meta.require("name");
        String name = nameNode.text();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw nameNode.error("metadata.name must be 1-63 letters, digits, '.', '_' or '-', not '" + name + "'");
        }
        YamlNode spec = doc.require("spec").allowOnly(Set.of("mode", "host", "containerSelector", "matchBinaries", "matchCapabilities",
                "matchNamespaces", "rules"));
        Mode mode = Mode.ENFORCE;
        if (spec.get("mode").isPresent()) {
            YamlNode m = spec.require("mode");
            mode = switch (m.text().toLowerCase(Locale.ROOT)) {
                case "enforce" -> Mode.ENFORCE;
                case "monitor" -> Mode.MONITOR;
                default -> throw m.error("mode must be enforce or monitor, not '" + m.text() + "'");
            };
        }
        ContainerSelector containers = spec.get("containerSelector").map(PolicyParser::containerSelector).orElse(ContainerSelector.NONE);
        boolean host;
        if (spec.get("host").isPresent()) {
            host = spec.bool("host", false);
            if (!host && containers.isEmpty()) throw spec.require("host").error("host: false and no containerSelector: the policy would apply nowhere");
        } else if (containers.isEmpty()) {
            throw spec.error("a policy must say where it applies: host: true, or a containerSelector");
        } else {
            host = false;
        }
        List<BinaryMatch> scope = spec.get("matchBinaries").map(n -> binaryMatches(n, true)).orElse(List.of());
        YamlNode rulesNode = spec.require("rules");
        List<YamlNode> items = rulesNode.items();
        if (items.isEmpty()) throw rulesNode.error("rules must not be empty");
        // spec-level matchCapabilities / matchNamespaces hold for every rule of the policy: each rule gets them too
        List<CapMatch> specCaps = spec.get("matchCapabilities").map(PolicyParser::capabilities).orElse(List.of());
        List<NsMatch> specNs = spec.get("matchNamespaces").map(PolicyParser::namespaces).orElse(List.of());
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) rules.add(rule(items.get(i), i, specCaps, specNs));
        return new EnforcementPolicy(name, doc.position(), mode, host, containers, scope, rules);
    }

    private static Rule rule(YamlNode n, int index, List<CapMatch> specCaps, List<NsMatch> specNs) {
        n.allowOnly(Set.of("name", "exec", "open", "connect", "bind", "ptrace", "module_load", "bpf", "setuid", "action", "argSig",
                "fallback", "matchCapabilities", "matchNamespaces"));
        String name = n.string("name").orElse("rule-" + index);
        List<String> targets = new ArrayList<>();
        for (String t : List.of("exec", "open", "connect", "bind")) if (n.get(t).isPresent()) targets.add(t);
        for (CallKind k : CallKind.values()) if (n.fields().containsKey(k.yamlName)) targets.add(k.yamlName); // "ptrace: {}" or "ptrace:"
        if (targets.size() != 1) {
            throw n.error("a rule needs exactly one of exec, open, connect, bind, ptrace, module_load, bpf, setuid"
                    + (targets.isEmpty() ? "" : " (it has " + targets + ")"));
        }
        for (CallKind k : CallKind.values()) {
            if (!k.yamlName.equals(targets.getFirst())) continue;
            YamlNode cn = n.fields().get(k.yamlName);
            if (!cn.isNull()) cn.allowOnly(Set.of()); // no conditions: the policy's scope selects who
        }
        YamlNode tn = n.fields().get(targets.getFirst());
        Target target = switch (targets.getFirst()) {
            case "exec" -> {
                tn.allowOnly(Set.of("matchBinaries", "fromUpperLayer"));
                yield new Exec(tn.get("matchBinaries").map(m -> binaryMatches(m, false)).orElse(List.of()),
                        tn.bool("fromUpperLayer", false));
            }
            case "open" -> open(tn);
            case "connect" -> net(tn, false);
            case "bind" -> net(tn, true);
            default -> new EnforcementPolicy.Call(java.util.Arrays.stream(CallKind.values())
                    .filter(k -> k.yamlName.equals(targets.getFirst())).findFirst().orElseThrow());
        };
        YamlNode an = n.require("action");
        Action action = action(an, "action");
        int signal = 0;
        if (action == Action.SIGNAL) {
            signal = (int) n.get("argSig").orElseThrow(() -> an.error("action Signal needs argSig: the signal number (1-64)")).integer(1, 64);
        } else if (n.get("argSig").isPresent()) {
            throw n.require("argSig").error("argSig is only for action Signal");
        }
        Action fallback = null;
        if (n.get("fallback").isPresent()) {
            YamlNode fn = n.require("fallback");
            fallback = action(fn, "fallback");
            if (fallback != Action.SIGKILL) throw fn.error("fallback can only be Sigkill (a kill where the kernel cannot deny)");
            if (action != Action.DENY) throw fn.error("fallback is for action Deny");
        }
        List<CapMatch> caps = new ArrayList<>(specCaps);
        n.get("matchCapabilities").ifPresent(c -> caps.addAll(capabilities(c)));
        if (caps.size() > MAX_CAP_CONDS) throw n.error("more than " + MAX_CAP_CONDS + " matchCapabilities entries on one rule (with the policy's)");
        List<NsMatch> nss = new ArrayList<>(specNs);
        n.get("matchNamespaces").ifPresent(c -> nss.addAll(namespaces(c)));
        if (nss.size() > MAX_NS_CONDS) throw n.error("more than " + MAX_NS_CONDS + " matchNamespaces entries on one rule (with the policy's)");
        return new Rule(name, target, action, signal, fallback, caps, nss, n.position());
    }

    private static boolean notIn(YamlNode item) {
        YamlNode on = item.require("operator");
        return switch (on.text()) {
            case "In" -> false;
            case "NotIn" -> true;
            default -> throw on.error("operator must be In or NotIn, not '" + on.text() + "'");
        };
    }

    /** Tetragon's matchCapabilities: [{type, operator, values: [CAP_*], isNamespaceCapability}]. */
    private static List<CapMatch> capabilities(YamlNode n) {
        if (!n.isList()) throw n.error("matchCapabilities is a list of {type, operator, values}");
        List<CapMatch> out = new ArrayList<>();
        for (YamlNode item : n.items()) {
            item.allowOnly(Set.of("type", "operator", "values", "isNamespaceCapability"));
            CapSet set = CapSet.EFFECTIVE; // Tetragon's default
            if (item.get("type").isPresent()) {
                YamlNode tn = item.require("type");
                set = null;
                for (CapSet c : CapSet.values()) if (c.yamlName.equals(tn.text())) set = c;
                if (set == null) throw tn.error("type must be Effective, Inheritable or Permitted, not '" + tn.text() + "'");
            }
            boolean notIn = notIn(item);
            List<String> values = new ArrayList<>();
            for (YamlNode v : item.require("values").items()) {
                if (Capabilities.number(v.text()) < 0) throw v.error("'" + v.text() + "' is not a capability (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)");
                values.add(v.text().toUpperCase(Locale.ROOT));
            }
            if (values.isEmpty()) throw item.require("values").error("values must not be empty");
            out.add(new CapMatch(set, notIn, values, item.bool("isNamespaceCapability", false), item.position()));
        }
        if (out.isEmpty()) throw n.error("matchCapabilities must not be empty");
        return out;
    }

    /** Tetragon's matchNamespaces: [{namespace, operator, values: [inode numbers or host_ns]}]. */
    private static List<NsMatch> namespaces(YamlNode n) {
        if (!n.isList()) throw n.error("matchNamespaces is a list of {namespace, operator, values}");
        List<NsMatch> out = new ArrayList<>();
        for (YamlNode item : n.items()) {
            item.allowOnly(Set.of("namespace", "operator", "values"));
            YamlNode kn = item.require("namespace");
            NsKind kind = null;
            for (NsKind k : NsKind.values()) if (k.yamlName.equals(kn.text())) kind = k;
            if (kind == null) {
                throw kn.error("namespace must be Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, TimeForChildren, Cgroup or User, not '" + kn.text() + "'");
            }
            boolean notIn = notIn(item);
            YamlNode vn = item.require("values");
            List<String> values = new ArrayList<>();
            for (YamlNode v : vn.items()) {
                String t = v.text();
                if (!t.equals(EnforcementPolicy.HOST_NS)) {
                    long inum;
                    try {
                        inum = Long.parseLong(t);
                    } catch (NumberFormatException e) {
                        inum = -1;
                    }
                    if (inum <= 0 || inum > 0xffff_ffffL) throw v.error("a namespace is its inode number (as in /proc/PID/ns/" + kind.procName + ") or host_ns, not '" + t + "'");
                }
                values.add(t);
            }
            if (values.isEmpty()) throw vn.error("values must not be empty");
            if (values.size() > MAX_NS_VALUES) throw vn.error("more than " + MAX_NS_VALUES + " values in one matchNamespaces entry");
            out.add(new NsMatch(kind, notIn, values, item.position()));
        }
        if (out.isEmpty()) throw n.error("matchNamespaces must not be empty");
        return out;
    }

    private static Open open(YamlNode n) {
        n.allowOnly(Set.of("matchPaths", "access"));
        boolean read = true, write = true;
        if (n.get("access").isPresent()) {
            YamlNode a = n.require("access");
            List<YamlNode> items = a.isList() ? a.items() : List.of(a);
            read = false;
            write = false;
            for (YamlNode item : items) {
                switch (item.text().toLowerCase(Locale.ROOT)) {
                    case "read" -> read = true;
                    case "write" -> write = true;
                    default -> throw item.error("access must be read or write (or a list of both), not '" + item.text() + "'");
                }
            }
            if (!read && !write) throw a.error("access must name read, write, or both");
        }
        return new Open(binaryMatches(n.require("matchPaths"), false), read, write);
    }

    private static Net net(YamlNode n, boolean bind) {
        String what = bind ? "bind" : "connect";
        n.allowOnly(Set.of("cidrs", "ports"));
        List<String> cidrs = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (YamlNode c : n.list("cidrs")) {
            String problem = Cidr.problem(c.text());
            if (problem != null) throw c.error(problem);
            cidrs.add(c.text());
        }
        for (YamlNode p : n.list("ports")) ports.add((int) p.integer(1, 65535));
        if (cidrs.isEmpty() && ports.isEmpty()) throw n.error(what + " needs cidrs, ports, or both");
        return new Net(bind, cidrs, ports);
    }

    private static ContainerSelector containerSelector(YamlNode n) {
        n.allowOnly(Set.of("matchLabels", "names", "images", "pods", "namespaces"));
        Map<String, String> labels = n.get("matchLabels").map(YamlNode::stringMap).orElse(Map.of());
        List<String> names = texts(n, "names"), images = texts(n, "images"), pods = texts(n, "pods"), nss = texts(n, "namespaces");
        if (labels.isEmpty() && names.isEmpty() && images.isEmpty() && pods.isEmpty() && nss.isEmpty()) {
            throw n.error("containerSelector needs matchLabels, names, images, pods or namespaces");
        }
        return new ContainerSelector(labels, names, images, pods, nss, n.position().toString());
    }

    private static List<String> texts(YamlNode n, String field) {
        return n.list(field).stream().map(YamlNode::text).toList();
    }

    private static List<BinaryMatch> binaryMatches(YamlNode n, boolean scope) {
        List<BinaryMatch> out = new ArrayList<>();
        for (YamlNode item : n.items()) {
            item.allowOnly(scope ? Set.of("operator", "values", "followChildren") : Set.of("operator", "values"));
            YamlNode on = item.require("operator");
            Operator op = null;
            for (Operator o : Operator.values()) if (o.yamlName.equalsIgnoreCase(on.text())) op = o;
            if (op == null) throw on.error("operator must be In, NotIn, Prefix, NotPrefix, Postfix or NotPostfix, not '" + on.text() + "'");
            List<String> values = new ArrayList<>();
            for (YamlNode v : item.require("values").items()) {
                String s = v.text();
                if (s.isEmpty()) throw v.error("an empty value matches nothing useful");
                if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) throw v.error("paths longer than 255 bytes cannot be matched in the kernel");
                if (!op.name().contains("POSTFIX") && !s.startsWith("/")) throw v.error(op.yamlName + " values are absolute paths (start with /), not '" + s + "'");
                values.add(s);
            }
            if (values.isEmpty()) throw item.error("values must not be empty");
            out.add(new BinaryMatch(op, values, item.bool("followChildren", false), item.position()));
        }
        if (out.isEmpty()) throw n.error("the list must not be empty");
        return out;
    }

    private static Action action(YamlNode n, String what) {
        for (Action a : Action.values()) if (a.yamlName.equalsIgnoreCase(n.text())) return a;
        throw n.error(what + " must be Deny, Sigkill, Signal or Post, not '" + n.text() + "'");
    }
}
