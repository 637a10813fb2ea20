package dev.vigil.rules.load;

import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.load.CorrelationDef.StepDef;
import dev.vigil.rules.load.CorrelationDef.ThresholdDef;
import dev.vigil.rules.load.YamlReader.Entry;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code - correlation:} items (Vigil's counts, distinct counts and sequences) with the rule items' item
 * semantics: a later definition replaces an earlier one, {@code override: {key: append|replace}} changes one, and
 * an item with only {@code enabled} switches one. Shape errors are reported here; meaning (types, windows,
 * aliases, fields) is checked by {@link CorrelationBuilder}.
 */
final class CorrelationReader {
    static final Set<String> KEYS = Set.of("correlation", "desc", "type", "condition", "steps", "group_by", "distinct",
            "window", "threshold", "aliases", "output", "priority", "enabled", "tags", "exceptions", "max_keys", "override");
    private static final Set<String> APPENDABLE = new LinkedHashSet<>(List.of("condition", "output", "desc", "tags", "exceptions"));
    private static final Set<String> REPLACEABLE = new LinkedHashSet<>(List.of("condition", "output", "desc", "priority", "tags",
            "exceptions", "enabled", "type", "steps", "group_by", "distinct", "window", "threshold", "aliases", "max_keys"));

    final Map<String, CorrelationDef> defs = new LinkedHashMap<>();
    private final YamlReader y;

    CorrelationReader(YamlReader y) { this.y = y; }

    private SourcePos pos(Node n) { return y.f.pos(n); }

    void read(MappingNode m, Map<String, Entry> map) {
        String name = y.name(map.get("correlation"), "correlation");
        if (name == null) return;
        SourcePos namePos = pos(map.get("correlation").value());
        y.unknownKeys(map, KEYS, "correlation");
        CorrelationDef existing = defs.get(name);
        Entry ov = map.get("override");
        if (ov != null) {
            Map<String, String> o = y.override(ov, APPENDABLE, REPLACEABLE);
            if (o == null || !y.overrideKeysMatch(map, o, "correlation", ov)) return;
            if (existing == null) {
                y.d.error(namePos, "correlation '" + name + "' is not defined before this override");
                return;
            }
            CorrelationDef tmp = new CorrelationDef(name, namePos);
            if (!fill(tmp, map, false)) return;
            for (Map.Entry<String, String> e : o.entrySet()) apply(existing, tmp, e.getKey(), e.getValue().equals("append"));
            return;
        }
        boolean onlyEnabled = map.containsKey("enabled");
        for (String k : map.keySet()) onlyEnabled &= k.equals("correlation") || k.equals("enabled");
        if (onlyEnabled) {
            Boolean en = y.bool(map.get("enabled"));
            if (en == null) return;
            if (existing == null) {
                y.d.error(namePos, "correlation '" + name + "' is not defined; an item with only 'enabled' changes an existing one");
                return;
            }
            existing.enabled = en;
            return;
        }
        CorrelationDef def = new CorrelationDef(name, namePos);
        def.broken = !fill(def, map, true);
        if (def.priority == null) def.priority = Priority.DEBUG;
        defs.put(name, def);
    }

    private boolean fill(CorrelationDef c, Map<String, Entry> map, boolean full) {
        boolean ok = true;
        if (full) {
            for (String k : List.of("type", "output", "priority")) {
                if (!map.containsKey(k)) {
                    y.d.error(c.pos, "correlation '" + c.name + "' has no '" + k + "'");
                    ok = false;
                }
            }
        }
        Entry e;
        if ((e = map.get("type")) != null) {
            ScalarNode s = y.scalar(e, "event_count, value_count or sequence");
            if (s == null) ok = false;
            else c.type = y.text(s);
        }
        if ((e = map.get("condition")) != null) {
            ScalarNode s = y.scalar(e, "a condition string");
            if (s == null) ok = false;
            else c.condition.add(y.text(s));
        }
        if ((e = map.get("output")) != null) {
            ScalarNode s = y.scalar(e, "an output string");
            if (s == null) ok = false;
            else c.output.add(y.text(s));
        }
        if ((e = map.get("desc")) != null) {
            ScalarNode s = y.scalar(e, "a description string");
            if (s == null) ok = false;
            else c.desc = s.getValue();
        }
        if ((e = map.get("priority")) != null) {
            ScalarNode s = y.scalar(e, "a priority");
            if (s == null) ok = false;
            else if ((c.priority = Priority.parse(s.getValue())) == null) {
                y.d.error(pos(s), "invalid priority '" + s.getValue() + "' (expected EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO or DEBUG)");
                ok = false;
            }
        }
        if ((e = map.get("enabled")) != null) {
            Boolean b = y.bool(e);
            if (b == null) ok = false;
            else c.enabled = b;
        }
        if ((e = map.get("tags")) != null) {
            List<ScalarNode> t = y.scalars(e);
            if (t == null) ok = false;
            else for (ScalarNode s : t) c.tags.add(s.getValue());
        }
        if ((e = map.get("group_by")) != null) {
            List<Text> l = texts(e);
            if (l == null) ok = false;
            else c.groupBy = l;
        }
        if ((e = map.get("distinct")) != null) {
            List<Text> l = texts(e);
            if (l == null) ok = false;
            else c.distinct = l;
        }
        if ((e = map.get("window")) != null) {
            ScalarNode s = y.scalar(e, "a duration such as 10s, 500ms, 2m or 1h");
            if (s == null) ok = false;
            else c.window = y.text(s);
        }
        if ((e = map.get("max_keys")) != null) {
            ScalarNode s = y.scalar(e, "a number");
            if (s == null) ok = false;
            else c.maxKeys = y.text(s);
        }
        if ((e = map.get("threshold")) != null) {
            ThresholdDef t = threshold(e);
            if (t == null) ok = false;
            else c.threshold = t;
        }
        if ((e = map.get("steps")) != null) {
            List<StepDef> s = steps(e);
            if (s == null) ok = false;
            else c.steps = s;
        }
        if ((e = map.get("aliases")) != null && !aliases(e, c)) ok = false;
        if ((e = map.get("exceptions")) != null && !y.exceptions(e, c.exceptions, full)) ok = false;
        return ok;
    }

    /** A list of scalars, or one scalar as a list of one. */
    private List<Text> texts(Entry e) {
        if (e.value() instanceof ScalarNode s && !YamlReader.isNull(s)) return new ArrayList<>(List.of(y.text(s)));
        List<ScalarNode> l = y.scalars(e);
        return l == null ? null : new ArrayList<>(l.stream().map(y::text).toList());
    }

    private ThresholdDef threshold(Entry e) {
        if (e.value() instanceof ScalarNode s) return new ThresholdDef(null, y.text(s), pos(s));
        if (!(e.value() instanceof MappingNode m) || m.getValue().size() != 1) {
            y.d.error(pos(e.value()), "'threshold' must be a number or one comparison, such as {gte: 20}");
            return null;
        }
        Map<String, Entry> tm = y.mapping(m);
        if (tm.isEmpty()) return null;
        Entry only = tm.values().iterator().next();
        ScalarNode v = y.scalar(only, "a number");
        if (v == null) return null;
        return new ThresholdDef(y.text(only.key()), y.text(v), pos(m));
    }

    private List<StepDef> steps(Entry e) {
        if (!(e.value() instanceof SequenceNode seq)) {
            y.d.error(pos(e.value()), "'steps' must be a list of {name, condition}");
            return null;
        }
        List<StepDef> out = new ArrayList<>();
        boolean ok = true;
        for (Node n : seq.getValue()) {
            if (!(n instanceof MappingNode sm)) {
                y.d.error(pos(n), "each step must be a mapping with name and condition");
                ok = false;
                continue;
            }
            Map<String, Entry> m = y.mapping(sm);
            y.unknownKeys(m, Set.of("name", "condition"), "step");
            Entry ne = m.get("name"), ce = m.get("condition");
            if (ne == null || ce == null) {
                y.d.error(pos(sm), "a step needs 'name' and 'condition'");
                ok = false;
                continue;
            }
            ScalarNode ns = y.scalar(ne, "a step name");
            ScalarNode cs = y.scalar(ce, "a condition string");
            if (ns == null || cs == null) {
                ok = false;
                continue;
            }
            out.add(new StepDef(y.text(ns), new ArrayList<>(List.of(y.text(cs))), pos(sm)));
        }
        return ok ? out : null;
    }

    private boolean aliases(Entry e, CorrelationDef c) {
        if (!(e.value() instanceof MappingNode am)) {
            y.d.error(pos(e.value()), "'aliases' must map each alias to {step: field, ...}");
            return false;
        }
        boolean ok = true;
        Map<String, Map<String, Text>> out = new LinkedHashMap<>();
        for (Entry a : y.mapping(am).values()) {
            if (!(a.value() instanceof MappingNode sm)) {
                y.d.error(pos(a.value()), "alias '" + a.key().getValue() + "' must map step names to fields, such as {dropped: fd.name, run: proc.exepath}");
                ok = false;
                continue;
            }
            Map<String, Text> fields = new LinkedHashMap<>();
            for (Entry s : y.mapping(sm).values()) {
                ScalarNode f = y.scalar(s, "a field name");
                if (f == null) ok = false;
                else fields.put(s.key().getValue(), withPos(y.text(f), s.key()));
            }
            out.put(a.key().getValue(), fields);
            c.aliasPos.put(a.key().getValue(), pos(a.key()));
        }
        c.aliases = out;
        return ok;
    }

    /** The field's text, positioned at its value, remembering the step key's position in {@code pos}. */
    private Text withPos(Text t, ScalarNode stepKey) { return new Text(t.value(), t.map(), pos(stepKey)); }

    private void apply(CorrelationDef into, CorrelationDef from, String key, boolean append) {
        if (into.applyShared(from, key, append, y.d)) return;
        switch (key) {
            case "type" -> into.type = from.type;
            case "steps" -> into.steps = from.steps;
            case "group_by" -> into.groupBy = from.groupBy;
            case "distinct" -> into.distinct = from.distinct;
            case "window" -> into.window = from.window;
            case "threshold" -> into.threshold = from.threshold;
            case "aliases" -> {
                into.aliases = from.aliases;
                into.aliasPos = from.aliasPos;
            }
            case "max_keys" -> into.maxKeys = from.maxKeys;
            default -> { }
        }
    }
}
