package dev.vigil.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML node that knows where it is, for policy kinds to read documents with errors that name the place: every
 * accessor that finds the wrong shape throws {@code FILE:LINE:COL: message}, and {@link #allowOnly} refuses
 * unknown fields at the field's own position (an unsupported feature is never silently ignored).
 */
public final class YamlNode {
    private final String file;
    private final Node node;
    private final String path;

    YamlNode(String file, Node node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    /** The dotted path of this node in its document, e.g. {@code spec.egress[0].toPorts}. */
    public String path() {
        return path;
    }

    public Position position() {
        return node.getStartMark().map(m -> new Position(file, m.getLine() + 1, m.getColumn() + 1))
                .orElse(Position.of(file));
    }

    public PolicyException error(String message) {
        return position().error(message);
    }

    public boolean isMap() { return node instanceof MappingNode; }
    public boolean isList() { return node instanceof SequenceNode; }
    public boolean isScalar() { return node instanceof ScalarNode; }

    /** An explicit YAML null ({@code ~}, {@code null} or nothing). */
    public boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
    }

    /** The fields of a mapping, in order; their values positioned. */
    public Map<String, YamlNode> fields() {
        if (!(node instanceof MappingNode m)) {
            throw error(describe() + " must be a mapping");
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new YamlNode(file, t.getKeyNode(), path).error("keys must be plain names");
            }
            String sub = path.isEmpty() ? k.getValue() : path + "." + k.getValue();
            if (out.put(k.getValue(), new YamlNode(file, t.getValueNode(), sub)) != null) {
                throw new YamlNode(file, k, sub).error("duplicate field '" + k.getValue() + "'");
            }
        }
        return out;
    }

    /** The position of a field's key (for errors about the field itself, such as "unknown"). */
    public Position keyPosition(String field) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(field)) {
                    return new YamlNode(file, k, path).position();
                }
            }
        }
        return position();
    }

    /**
     * Refuses any field not in {@code known}; {@code refused} maps fields Vigil recognises but does not support to
     * the reason (e.g. "L7 rules are not supported"), so the message says so instead of "unknown".
     */
    public YamlNode allowOnly(Set<String> known, Map<String, String> refused) {
        for (String f : fields().keySet()) {
            if (known.contains(f)) continue;
            String where = (path.isEmpty() ? "" : path + ".") + f;
            String reason = refused.get(f);
            throw keyPosition(f).error(reason != null ? "'" + where + "': " + reason
                    : "unknown field '" + where + "' (known here: " + String.join(", ", known) + ")");
        }
        return this;
    }

    public YamlNode allowOnly(Set<String> known) {
        return allowOnly(known, Map.of());
    }

    public Optional<YamlNode> get(String field) {
        YamlNode v = fields().get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    public YamlNode require(String field) {
        return get(field).orElseThrow(() -> error(describe() + " needs '" + field + "'"));
    }

    /** The items of a sequence. */
    public List<YamlNode> items() {
        if (!(node instanceof SequenceNode s)) {
            throw error(describe() + " must be a list");
        }
        List<YamlNode> out = new ArrayList<>();
        int i = 0;
        for (Node n : s.getValue()) {
            out.add(new YamlNode(file, n, path + "[" + i++ + "]"));
        }
        return out;
    }

    /** A field's list items; absent: empty. */
    public List<YamlNode> list(String field) {
        return get(field).map(YamlNode::items).orElse(List.of());
    }

    public String text() {
        if (!(node instanceof ScalarNode s)) {
            throw error(describe() + " must be a single value");
        }
        return s.getValue();
    }

    public Optional<String> string(String field) {
        return get(field).map(YamlNode::text);
    }

    public boolean bool(String field, boolean def) {
        Optional<YamlNode> v = get(field);
        if (v.isEmpty()) return def;
        String t = v.get().text();
        return switch (t) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> throw v.get().error("'" + v.get().path + "' must be true or false, not '" + t + "'");
        };
    }

    /** An integer in [min, max]. */
    public long integer(long min, long max) {
        String t = text();
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error("'" + path + "' must be a number, not '" + t + "'");
        }
        if (v < min || v > max) {
            throw error("'" + path + "' must be between " + min + " and " + max + ", not " + v);
        }
        return v;
    }

    /** A map of string to string (labels). */
    public Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        fields().forEach((k, v) -> out.put(k, v.text()));
        return out;
    }

    private String describe() {
        return path.isEmpty() ? "the document" : "'" + path + "'";
    }

    Node raw() {
        return node;
    }
}
