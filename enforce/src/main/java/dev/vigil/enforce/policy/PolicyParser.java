package dev.vigil.enforce.policy;

import dev.vigil.enforce.policy.EnforcementPolicy.Action;
import dev.vigil.enforce.policy.EnforcementPolicy.BinaryMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.ContainerSelector;
import dev.vigil.enforce.policy.EnforcementPolicy.Exec;
import dev.vigil.enforce.policy.EnforcementPolicy.Mode;
import dev.vigil.enforce.policy.EnforcementPolicy.Net;
import dev.vigil.enforce.policy.EnforcementPolicy.Open;
import dev.vigil.enforce.policy.EnforcementPolicy.Operator;
import dev.vigil.enforce.policy.EnforcementPolicy.Rule;
import dev.vigil.enforce.policy.EnforcementPolicy.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads EnforcementPolicy YAML (one or more documents) through snakeyaml-engine's node API, so that every error
 * says FILE:LINE:COL. Unknown keys are errors (a typo must not silently widen or drop a policy).
 */
public final class PolicyParser {
    private final String source;

    private PolicyParser(String source) {
        this.source = source;
    }

    /** Every document of {@code text} must be an EnforcementPolicy. */
    public static List<EnforcementPolicy> parse(String source, String text) {
        List<EnforcementPolicy> out = new ArrayList<>();
        PolicyParser p = new PolicyParser(source);
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setUseMarks(true)
                    .setMaxAliasesForCollections(50).setAllowRecursiveKeys(false).build();
            for (Node doc : new Compose(settings).composeAllFromString(text)) {
                if (doc instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("null"))) continue;
                out.add(p.document(doc));
            }
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String where = m == null ? source + ":1:1" : source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            throw new PolicyException(where + ": invalid YAML: " + firstLine(e.getProblem()));
        } catch (YamlEngineException e) {
            throw new PolicyException(source + ":1:1: invalid YAML: " + firstLine(e.getMessage()));
        }
        if (out.isEmpty()) throw new PolicyException(source + ":1:1: no policy in the file");
        return out;
    }

    /** One document already composed (by the policy loader that dispatches on apiVersion and kind). */
    public static EnforcementPolicy parse(String source, Node document) {
        return new PolicyParser(source).document(document);
    }

    private EnforcementPolicy document(Node doc) {
        Map<String, NodeTuple> top = mapping(doc, "a policy", Set.of("apiVersion", "kind", "metadata", "spec"));
        String api = scalar(required(top, doc, "apiVersion"), "apiVersion");
        if (!api.equals(EnforcementPolicy.API_VERSION)) {
            throw err(top.get("apiVersion").getValueNode(), "apiVersion must be " + EnforcementPolicy.API_VERSION + ", not '" + api + "'");
        }
        String kind = scalar(required(top, doc, "kind"), "kind");
        if (!kind.equals(EnforcementPolicy.KIND)) {
            throw err(top.get("kind").getValueNode(), "kind must be " + EnforcementPolicy.KIND + ", not '" + kind + "'");
        }
        Node metaNode = required(top, doc, "metadata");
        Map<String, NodeTuple> meta = mapping(metaNode, "metadata", Set.of("name", "namespace", "labels", "annotations"));
        String name = scalar(required(meta, metaNode, "name"), "metadata.name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw err(meta.get("name").getValueNode(), "metadata.name must be 1-63 letters, digits, '.', '_' or '-', not '" + name + "'");
        }
        Node specNode = required(top, doc, "spec");
        Map<String, NodeTuple> spec = mapping(specNode, "spec", Set.of("mode", "host", "containerSelector", "matchBinaries", "rules"));
        Mode mode = Mode.ENFORCE;
        if (spec.containsKey("mode")) {
            Node m = spec.get("mode").getValueNode();
            mode = switch (scalar(m, "mode").toLowerCase(Locale.ROOT)) {
                case "enforce" -> Mode.ENFORCE;
                case "monitor" -> Mode.MONITOR;
                default -> throw err(m, "mode must be enforce or monitor, not '" + scalar(m, "mode") + "'");
            };
        }
        ContainerSelector containers = spec.containsKey("containerSelector")
                ? containerSelector(spec.get("containerSelector").getValueNode()) : ContainerSelector.NONE;
        boolean host;
        if (spec.containsKey("host")) {
            host = bool(spec.get("host").getValueNode(), "host");
        } else if (containers.isEmpty()) {
            throw err(specNode, "a policy must say where it applies: host: true, or a containerSelector");
        } else {
            host = false;
        }
        if (!host && containers.isEmpty()) {
            throw err(spec.get("host").getValueNode(), "host: false and no containerSelector: the policy would apply nowhere");
        }
        List<BinaryMatch> scope = spec.containsKey("matchBinaries")
                ? binaryMatches(spec.get("matchBinaries").getValueNode(), "matchBinaries", true) : List.of();
        Node rulesNode = required(spec, specNode, "rules");
        if (!(rulesNode instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            throw err(rulesNode, "rules must be a non-empty list");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (Node r : seq.getValue()) rules.add(rule(r, name, i++));
        return new EnforcementPolicy(name, source, mode, host, containers, scope, rules, pos(doc));
    }

    private static final Set<String> RULE_KEYS = Set.of("name", "exec", "open", "connect", "bind", "action", "argSig", "signal", "fallback");

    private Rule rule(Node n, String policy, int index) {
        Map<String, NodeTuple> r = mapping(n, "a rule", RULE_KEYS);
        String name = r.containsKey("name") ? scalar(r.get("name").getValueNode(), "name") : "rule-" + index;
        List<String> targets = new ArrayList<>();
        for (String t : List.of("exec", "open", "connect", "bind")) if (r.containsKey(t)) targets.add(t);
        if (targets.size() != 1) {
            throw err(n, "a rule needs exactly one of exec, open, connect, bind" + (targets.isEmpty() ? "" : " (it has " + targets + ")"));
        }
        Node tn = r.get(targets.getFirst()).getValueNode();
        Target target = switch (targets.getFirst()) {
            case "exec" -> {
                Map<String, NodeTuple> m = mapping(tn, "exec", Set.of("matchBinaries"));
                yield new Exec(m.containsKey("matchBinaries") ? binaryMatches(m.get("matchBinaries").getValueNode(), "matchBinaries", false) : List.of());
            }
            case "open" -> open(tn);
            case "connect" -> net(tn, false);
            default -> net(tn, true);
        };
        Node an = required(r, n, "action");
        Action action = action(an, "action");
        int signal = 0;
        Node sn = r.containsKey("argSig") ? r.get("argSig").getValueNode() : r.containsKey("signal") ? r.get("signal").getValueNode() : null;
        if (action == Action.SIGNAL) {
            if (sn == null) throw err(an, "action Signal needs argSig: the signal number (1-64)");
            signal = integer(sn, "argSig", 1, 64);
        } else if (sn != null) {
            throw err(sn, "argSig is only for action Signal");
        }
        Action fallback = null;
        if (r.containsKey("fallback")) {
            Node fn = r.get("fallback").getValueNode();
            fallback = action(fn, "fallback");
            if (fallback != Action.SIGKILL) throw err(fn, "fallback can only be Sigkill (a kill where the kernel cannot deny)");
            if (action != Action.DENY) throw err(fn, "fallback is for action Deny");
        }
        return new Rule(name, target, action, signal, fallback, pos(n));
    }

    private Open open(Node n) {
        Map<String, NodeTuple> m = mapping(n, "open", Set.of("matchPaths", "access"));
        Node paths = required(m, n, "matchPaths");
        boolean read = true, write = true;
        if (m.containsKey("access")) {
            Node a = m.get("access").getValueNode();
            List<Node> items = a instanceof SequenceNode s ? s.getValue() : List.of(a);
            read = false;
            write = false;
            for (Node item : items) {
                switch (scalar(item, "access").toLowerCase(Locale.ROOT)) {
                    case "read" -> read = true;
                    case "write" -> write = true;
                    default -> throw err(item, "access must be read or write (or a list of both), not '" + scalar(item, "access") + "'");
                }
            }
            if (!read && !write) throw err(a, "access must name read, write, or both");
        }
        return new Open(binaryMatches(paths, "matchPaths", false), read, write);
    }

    private Net net(Node n, boolean bind) {
        String what = bind ? "bind" : "connect";
        Map<String, NodeTuple> m = mapping(n, what, Set.of("cidrs", "ports"));
        List<String> cidrs = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        if (m.containsKey("cidrs")) {
            for (Node c : list(m.get("cidrs").getValueNode(), "cidrs")) {
                String s = scalar(c, "cidrs");
                String problem = Cidr.problem(s);
                if (problem != null) throw err(c, problem);
                cidrs.add(s);
            }
        }
        if (m.containsKey("ports")) {
            for (Node p : list(m.get("ports").getValueNode(), "ports")) ports.add(integer(p, "ports", 1, 65535));
        }
        if (cidrs.isEmpty() && ports.isEmpty()) throw err(n, what + " needs cidrs, ports, or both");
        return new Net(bind, cidrs, ports);
    }

    private ContainerSelector containerSelector(Node n) {
        Map<String, NodeTuple> m = mapping(n, "containerSelector", Set.of("matchLabels", "names", "images", "pods", "namespaces"));
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.containsKey("matchLabels")) {
            Node ln = m.get("matchLabels").getValueNode();
            if (!(ln instanceof MappingNode lm)) throw err(ln, "matchLabels must be a mapping of label to value");
            for (NodeTuple t : lm.getValue()) labels.put(scalar(t.getKeyNode(), "label"), scalar(t.getValueNode(), "label value"));
        }
        List<String> names = strings(m, "names"), images = strings(m, "images"), pods = strings(m, "pods"), nss = strings(m, "namespaces");
        if (labels.isEmpty() && names.isEmpty() && images.isEmpty() && pods.isEmpty() && nss.isEmpty()) {
            throw err(n, "containerSelector needs matchLabels, names, images, pods or namespaces");
        }
        return new ContainerSelector(labels, names, images, pods, nss, pos(n));
    }

    private List<String> strings(Map<String, NodeTuple> m, String key) {
        if (!m.containsKey(key)) return List.of();
        List<String> out = new ArrayList<>();
        for (Node v : list(m.get(key).getValueNode(), key)) out.add(scalar(v, key));
        return List.copyOf(out);
    }

    private List<BinaryMatch> binaryMatches(Node n, String what, boolean scope) {
        List<BinaryMatch> out = new ArrayList<>();
        for (Node item : list(n, what)) {
            Set<String> keys = scope ? Set.of("operator", "values", "followChildren") : Set.of("operator", "values");
            Map<String, NodeTuple> m = mapping(item, "a " + what + " entry", keys);
            Node on = required(m, item, "operator");
            String os = scalar(on, "operator");
            Operator op = null;
            for (Operator o : Operator.values()) if (o.yamlName.equalsIgnoreCase(os)) op = o;
            if (op == null) throw err(on, "operator must be In, NotIn, Prefix, NotPrefix, Postfix or NotPostfix, not '" + os + "'");
            List<String> values = new ArrayList<>();
            for (Node v : list(required(m, item, "values"), "values")) {
                String s = scalar(v, "values");
                if (s.isEmpty()) throw err(v, "an empty value matches nothing useful");
                if (s.length() > 255) throw err(v, "paths longer than 255 characters cannot be matched in the kernel");
                if ((op == Operator.IN || op == Operator.NOT_IN || op == Operator.PREFIX || op == Operator.NOT_PREFIX) && !s.startsWith("/")) {
                    throw err(v, op.yamlName + " values are absolute paths (start with /), not '" + s + "'");
                }
                values.add(s);
            }
            if (values.isEmpty()) throw err(item, "values must not be empty");
            boolean follow = m.containsKey("followChildren") && bool(m.get("followChildren").getValueNode(), "followChildren");
            out.add(new BinaryMatch(op, values, follow, pos(item)));
        }
        if (out.isEmpty()) throw err(n, what + " must not be empty");
        return out;
    }

    private Action action(Node n, String what) {
        String s = scalar(n, what);
        for (Action a : Action.values()) if (a.yamlName.equalsIgnoreCase(s)) return a;
        throw err(n, what + " must be Deny, Sigkill, Signal or Post, not '" + s + "'");
    }

    // --- node helpers ---

    private Map<String, NodeTuple> mapping(Node n, String what, Set<String> allowed) {
        if (!(n instanceof MappingNode m)) throw err(n, what + " must be a mapping");
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = scalar(t.getKeyNode(), "key");
            if (!allowed.contains(k)) {
                throw err(t.getKeyNode(), "unknown key '" + k + "' in " + what + " (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (out.put(k, t) != null) throw err(t.getKeyNode(), "duplicate key '" + k + "'");
        }
        return out;
    }

    private Node required(Map<String, NodeTuple> m, Node parent, String key) {
        NodeTuple t = m.get(key);
        if (t == null) throw err(parent, "missing '" + key + "'");
        return t.getValueNode();
    }

    private List<Node> list(Node n, String what) {
        if (n instanceof SequenceNode s) return s.getValue();
        throw err(n, what + " must be a list");
    }

    private String scalar(Node n, String what) {
        if (n instanceof ScalarNode s) return s.getValue();
        throw err(n, what + " must be a single value");
    }

    private boolean bool(Node n, String what) {
        return switch (scalar(n, what).toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw err(n, what + " must be true or false, not '" + scalar(n, what) + "'");
        };
    }

    private int integer(Node n, String what, int min, int max) {
        String s = scalar(n, what);
        try {
            int v = Integer.parseInt(s.trim());
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw err(n, what + " must be an integer from " + min + " to " + max + ", not '" + s + "'");
        }
    }

    private String pos(Node n) {
        return n.getStartMark().map(m -> source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse(source + ":1:1");
    }

    private PolicyException err(Node n, String message) {
        return new PolicyException(pos(n) + ": " + message);
    }

    private static String firstLine(String s) {
        if (s == null) return "syntax error";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
