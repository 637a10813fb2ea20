package dev.vigil.rules.load;

import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;
import dev.vigil.rules.lang.Parser;
import dev.vigil.rules.load.Defs.ExceptionDef;
import dev.vigil.rules.load.Defs.ListDef;
import dev.vigil.rules.load.Defs.MacroDef;
import dev.vigil.rules.load.Defs.RuleDef;
import dev.vigil.rules.load.Defs.Value;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Falco rules files through snakeyaml-engine's node API (so every value keeps its position) into
 * {@link Defs}, applying Falco's item semantics in load order: later definitions replace earlier ones (keeping
 * their place), {@code override: {key: append|replace}} and the legacy {@code append: true} modify an earlier
 * definition, and a rule item with only {@code enabled} switches an existing rule.
 */
final class YamlReader {
    /** The Falco engine version whose rule language Vigil implements (for required_engine_version). */
    static final String ENGINE_VERSION = "0.62.0";
    static final int MAX_FLOW_DEPTH = 64;

    final Map<String, ListDef> lists = new LinkedHashMap<>();
    final Map<String, MacroDef> macros = new LinkedHashMap<>();
    final Map<String, RuleDef> rules = new LinkedHashMap<>();
    final Diags d;
    SourceFile f;
    /** Vigil's correlation items (its own reader; see CorrelationReader). */
    final CorrelationReader correlations = new CorrelationReader(this);

    YamlReader(Diags d) { this.d = d; }

    void read(String name, String text) {
        f = new SourceFile(name, text);
        String depthProblem = checkFlowDepth(text);
        if (depthProblem != null) {
            d.error(new SourcePos(name, 1, 1), depthProblem);
            return;
        }
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(name).setUseMarks(true)
                    .setMaxAliasesForCollections(50).setAllowRecursiveKeys(false).setCodePointLimit(64 * 1024 * 1024).build();
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            SourcePos p = e.getProblemMark().map(f::pos).orElse(new SourcePos(name, 1, 1));
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            String ctx = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            d.error(p, "invalid YAML: " + problem.trim() + ctx);
            return;
        } catch (YamlEngineException e) {
            d.error(new SourcePos(name, 1, 1), "invalid YAML: " + e.getMessage());
            return;
        } catch (StackOverflowError e) {
            d.error(new SourcePos(name, 1, 1), "invalid YAML: nesting is too deep");
            return;
        }
        if (root.isEmpty()) return;
        Node r = root.get();
        if (r instanceof ScalarNode s && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"))) return;
        if (!(r instanceof SequenceNode seq)) {
            d.error(f.pos(r), "a rules file must be a YAML list of items (- rule: ..., - macro: ..., - list: ...)");
            return;
        }
        for (Node item : seq.getValue()) item(item);
    }

    /** Flow collections nest through recursion in the YAML library: bound them first. */
    private static String checkFlowDepth(String text) {
        int depth = 0;
        char quote = 0;
        boolean comment = false;
        boolean lineStart = true;
        int blockRun = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                comment = false;
                quote = 0;
                lineStart = true;
                blockRun = 0;
                continue;
            }
            if (lineStart) {
                // "- - - - x" nests block sequences on one line
                if (c == ' ') continue;
                if ((c == '-' || c == '?') && i + 1 < text.length() && text.charAt(i + 1) == ' ') {
                    if (++blockRun > MAX_FLOW_DEPTH) return "YAML nests deeper than " + MAX_FLOW_DEPTH + " levels";
                    i++;
                    continue;
                }
                lineStart = false;
            }
            if (comment) continue;
            if (quote != 0) {
                if (c == quote) quote = 0;
                continue;
            }
            if (c == '#') comment = true;
            else if (c == '"' || c == '\'') quote = c;
            else if (c == '[' || c == '{') {
                if (++depth > MAX_FLOW_DEPTH) return "YAML nests deeper than " + MAX_FLOW_DEPTH + " levels";
            } else if (c == ']' || c == '}') depth = Math.max(0, depth - 1);
        }
        return null;
    }

    // ---- node helpers ----

    record Entry(ScalarNode key, Node value) {}

    Map<String, Entry> mapping(MappingNode m) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                d.error(f.pos(t.getKeyNode()), "keys must be plain names");
                continue;
            }
            if (out.containsKey(k.getValue())) {
                d.error(f.pos(k), "duplicate key '" + k.getValue() + "'");
                continue;
            }
            out.put(k.getValue(), new Entry(k, t.getValueNode()));
        }
        return out;
    }

    ScalarNode scalar(Entry e, String what) {
        if (e.value instanceof ScalarNode s) return s;
        d.error(f.pos(e.value), "'" + e.key.getValue() + "' must be " + what);
        return null;
    }

    Text text(ScalarNode s) { return new Text(s.getValue(), f.mapOf(s), f.pos(s)); }

    Boolean bool(Entry e) {
        ScalarNode s = scalar(e, "true or false");
        if (s == null) return null;
        String v = s.getValue().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("yes") || v.equals("on")) return true;
        if (v.equals("false") || v.equals("no") || v.equals("off")) return false;
        d.error(f.pos(s), "'" + e.key.getValue() + "' must be true or false, not '" + s.getValue() + "'");
        return null;
    }

    static boolean isNull(Node n) {
        return n instanceof ScalarNode s && s.isPlain() && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
    }

    List<ScalarNode> scalars(Entry e) {
        List<ScalarNode> out = new ArrayList<>();
        if (isNull(e.value)) return out;
        if (!(e.value instanceof SequenceNode seq)) {
            d.error(f.pos(e.value), "'" + e.key.getValue() + "' must be a list");
            return null;
        }
        for (Node n : seq.getValue()) {
            if (n instanceof ScalarNode s) out.add(s);
            else d.error(f.pos(n), "items of '" + e.key.getValue() + "' must be single values");
        }
        return out;
    }

    String name(Entry e, String kind) {
        ScalarNode s = scalar(e, "a name");
        if (s == null) return null;
        if (s.getValue().isBlank()) {
            d.error(f.pos(s), kind + " name is empty");
            return null;
        }
        return s.getValue();
    }

    void unknownKeys(Map<String, Entry> m, Set<String> known, String kind) {
        for (Entry e : m.values()) {
            if (!known.contains(e.key.getValue())) d.warning(f.pos(e.key), "unknown key '" + e.key.getValue() + "' in " + kind + ", ignored");
        }
    }

    // ---- items ----

    private void item(Node n) {
        if (!(n instanceof MappingNode m)) {
            d.error(f.pos(n), "each item must be a mapping with one of: rule, macro, list, required_engine_version, required_plugin_versions");
            return;
        }
        Map<String, Entry> map = mapping(m);
        int kinds = 0;
        for (String k : List.of("rule", "macro", "list", "correlation", "required_engine_version", "required_plugin_versions")) if (map.containsKey(k)) kinds++;
        if (kinds > 1) {
            d.error(f.pos(m), "an item must be exactly one of rule, macro, list, required_engine_version, required_plugin_versions");
            return;
        }
        if (map.containsKey("required_engine_version")) engineVersion(map.get("required_engine_version"));
        else if (map.containsKey("required_plugin_versions")) pluginVersions(map.get("required_plugin_versions"));
        else if (map.containsKey("list")) list(m, map);
        else if (map.containsKey("macro")) macro(m, map);
        else if (map.containsKey("rule")) rule(m, map);
        else if (map.containsKey("correlation")) correlations.read(m, map);
        else d.warning(f.pos(m), "unknown item (expected rule, macro, list, required_engine_version or required_plugin_versions), ignored");
    }

    private static int[] version(String v) {
        String s = v.trim();
        if (s.matches("\\d+")) return new int[] {0, Integer.parseInt(s), 0};
        if (!s.matches("\\d+\\.\\d+\\.\\d+([-+].*)?")) return null;
        String[] p = s.replaceAll("[-+].*", "").split("\\.");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) if (a[i] != b[i]) return Integer.compare(a[i], b[i]);
        return 0;
    }

    private void engineVersion(Entry e) {
        ScalarNode s = scalar(e, "a version");
        if (s == null) return;
        int[] req = version(s.getValue());
        if (req == null) {
            d.error(f.pos(s), "invalid required_engine_version '" + s.getValue() + "' (expected a version like 0.62.0)");
            return;
        }
        if (compare(req, version(ENGINE_VERSION)) > 0) {
            d.error(f.pos(s), "rules require engine version " + s.getValue() + ", but Vigil implements the Falco engine version " + ENGINE_VERSION);
        }
    }

    private void pluginVersions(Entry e) {
        if (isNull(e.value)) return;
        if (!(e.value instanceof SequenceNode seq)) {
            d.error(f.pos(e.value), "required_plugin_versions must be a list of {name, version}");
            return;
        }
        for (Node n : seq.getValue()) {
            if (!(n instanceof MappingNode pm)) {
                d.error(f.pos(n), "required_plugin_versions entries must be mappings with name and version");
                continue;
            }
            Map<String, Entry> m = mapping(pm);
            Entry name = m.get("name");
            if (name == null || m.get("version") == null) {
                d.error(f.pos(pm), "required_plugin_versions entries need 'name' and 'version'");
                continue;
            }
            ScalarNode ns = scalar(name, "a plugin name");
            ScalarNode vs = scalar(m.get("version"), "a version");
            if (ns == null || vs == null) continue;
            if (version(vs.getValue()) == null) d.error(f.pos(vs), "invalid plugin version '" + vs.getValue() + "'");
            if (!ns.getValue().equals("container")) {
                boolean alt = false;
                Entry alts = m.get("alternatives");
                if (alts != null && alts.value instanceof SequenceNode as) {
                    for (Node an : as.getValue()) {
                        if (an instanceof MappingNode amn) {
                            Entry an2 = mapping(amn).get("name");
                            if (an2 != null && an2.value instanceof ScalarNode s2 && s2.getValue().equals("container")) alt = true;
                        }
                    }
                }
                if (!alt) {
                    d.warning(f.pos(ns), "plugin '" + ns.getValue() + "' is not available in Vigil (container metadata is built in); rules that need its event source are skipped");
                }
            }
        }
    }

    Map<String, String> override(Entry e, Set<String> appendable, Set<String> replaceable) {
        if (!(e.value instanceof MappingNode om)) {
            d.error(f.pos(e.value), "'override' must map keys to append or replace");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry oe : mapping(om).values()) {
            ScalarNode v = scalar(oe, "append or replace");
            if (v == null) return null;
            String key = oe.key.getValue(), how = v.getValue();
            if (!how.equals("append") && !how.equals("replace")) {
                d.error(f.pos(v), "override of '" + key + "' must be 'append' or 'replace', not '" + how + "'");
                return null;
            }
            if (how.equals("append") && !appendable.contains(key)) {
                d.error(f.pos(oe.key), "key '" + key + "' cannot be appended (appendable: " + String.join(", ", appendable) + ")");
                return null;
            }
            if (how.equals("replace") && !replaceable.contains(key)) {
                d.error(f.pos(oe.key), "key '" + key + "' cannot be replaced (replaceable: " + String.join(", ", replaceable) + ")");
                return null;
            }
            out.put(key, how);
        }
        return out;
    }

    /** Checks that override keys and item keys agree; returns false (after reporting) if not. */
    boolean overrideKeysMatch(Map<String, Entry> map, Map<String, String> ov, String nameKey, Entry ovEntry) {
        boolean ok = true;
        for (String k : ov.keySet()) {
            if (!map.containsKey(k)) {
                d.error(f.pos(ovEntry.value), "override for '" + k + "' is given, but the item has no '" + k + "'");
                ok = false;
            }
        }
        for (Entry e : map.values()) {
            String k = e.key.getValue();
            if (k.equals(nameKey) || k.equals("override")) continue;
            if (!ov.containsKey(k)) {
                d.error(f.pos(e.key), "key '" + k + "' must be listed under 'override' (append or replace) in an overriding item");
                ok = false;
            }
        }
        return ok;
    }

    /** The legacy {@code append:} flag; null (reported) when it is no boolean or comes with an {@code override:}. */
    private Boolean appendFlag(Map<String, Entry> map) {
        Boolean append = legacyAppend(map);
        Entry ov = map.get("override");
        if (append != null && append && ov != null) {
            d.error(f.pos(ov.key), "'override' and 'append' cannot be used together");
            return null;
        }
        return append;
    }

    private Boolean legacyAppend(Map<String, Entry> map) {
        Entry a = map.get("append");
        return a == null ? Boolean.FALSE : bool(a);
    }

    private void list(MappingNode m, Map<String, Entry> map) {
        String name = name(map.get("list"), "list");
        if (name == null) return;
        unknownKeys(map, Set.of("list", "items", "append", "override"), "list");
        Boolean append = appendFlag(map);
        if (append == null) return;
        Entry ov = map.get("override");
        Entry items = map.get("items");
        if (items == null) {
            d.error(f.pos(m), "list '" + name + "' has no 'items'");
            return;
        }
        List<ScalarNode> vals = scalars(items);
        if (vals == null) return;
        List<String> values = new ArrayList<>();
        for (ScalarNode s : vals) values.add(Parser.unquoteItem(s.getValue()));
        String how = mergeMode(map, ov, append, "list", "items");
        if (how == INVALID) return;
        ListDef existing = lists.get(name);
        if (how != null) {
            if (!definedBefore(existing, map, ov, "list", name)) return;
            if (how.equals("replace")) existing.items.clear();
            existing.items.addAll(values);
            return;
        }
        ListDef def = new ListDef(name, f.pos(map.get("list").value));
        def.items.addAll(values);
        lists.put(name, def);
    }

    /** Marks a redefinition whose override was invalid (already reported). */
    private static final String INVALID = new String("invalid");

    /**
     * How a list or macro definition merges with an earlier one: null for a new definition, "append" or
     * "replace" (from {@code override:} on {@code key}, or the legacy {@code append: true}), or
     * {@link #INVALID} when the override itself was wrong.
     */
    private String mergeMode(Map<String, Entry> map, Entry ov, boolean append, String kind, String key) {
        if (ov == null) return append ? "append" : null;
        Map<String, String> o = override(ov, Set.of(key), Set.of(key));
        if (o == null || !overrideKeysMatch(map, o, kind, ov)) return INVALID;
        return o.get(key);
    }

    /** An append or override needs an earlier definition; reports it at the item's name when there is none. */
    private boolean definedBefore(Object existing, Map<String, Entry> map, Entry ov, String kind, String name) {
        if (existing != null) return true;
        d.error(f.pos(map.get(kind).value), kind + " '" + name + "' is not defined before this " + (ov != null ? "override" : "append"));
        return false;
    }

    private void macro(MappingNode m, Map<String, Entry> map) {
        String name = name(map.get("macro"), "macro");
        if (name == null) return;
        unknownKeys(map, Set.of("macro", "condition", "append", "override"), "macro");
        Boolean append = appendFlag(map);
        if (append == null) return;
        Entry ov = map.get("override");
        Entry ce = map.get("condition");
        if (ce == null) {
            d.error(f.pos(m), "macro '" + name + "' has no 'condition'");
            return;
        }
        ScalarNode cs = scalar(ce, "a condition string");
        if (cs == null) return;
        Text cond = text(cs);
        String how = mergeMode(map, ov, append, "macro", "condition");
        if (how == INVALID) return;
        MacroDef existing = macros.get(name);
        if (how != null) {
            if (!definedBefore(existing, map, ov, "macro", name)) return;
            if (how.equals("replace")) existing.condition.clear();
            existing.condition.add(cond);
            return;
        }
        MacroDef def = new MacroDef(name, f.pos(map.get("macro").value));
        def.condition.add(cond);
        macros.put(name, def);
    }

    private static final Set<String> RULE_KEYS = Set.of("rule", "condition", "output", "desc", "priority", "enabled", "tags",
            "source", "exceptions", "warn_evttypes", "skip-if-unknown-filter", "append", "override", "required_engine_version",
            "capture", "capture_duration");
    private static final Set<String> RULE_APPENDABLE = new java.util.LinkedHashSet<>(List.of("condition", "output", "desc", "tags", "exceptions"));
    private static final Set<String> RULE_REPLACEABLE = new java.util.LinkedHashSet<>(List.of("condition", "output", "desc", "priority", "tags",
            "exceptions", "enabled", "warn_evttypes", "skip-if-unknown-filter", "capture", "capture_duration"));

    private void rule(MappingNode m, Map<String, Entry> map) {
        String name = name(map.get("rule"), "rule");
        if (name == null) return;
        SourcePos namePos = f.pos(map.get("rule").value);
        unknownKeys(map, RULE_KEYS, "rule");
        Boolean append = appendFlag(map);
        if (append == null) return;
        Entry ov = map.get("override");
        RuleDef existing = rules.get(name);
        if (ov != null) {
            Map<String, String> o = override(ov, RULE_APPENDABLE, RULE_REPLACEABLE);
            if (o == null || !overrideKeysMatch(map, o, "rule", ov)) return;
            if (existing == null) {
                d.error(namePos, "rule '" + name + "' is not defined before this override");
                return;
            }
            RuleDef tmp = new RuleDef(name, namePos);
            if (!fill(tmp, map, false)) return;
            for (Map.Entry<String, String> e : o.entrySet()) apply(existing, tmp, e.getKey(), e.getValue().equals("append"));
            return;
        }
        if (append) {
            if (existing == null) {
                d.error(namePos, "rule '" + name + "' is not defined before this append");
                return;
            }
            RuleDef tmp = new RuleDef(name, namePos);
            if (!fill(tmp, map, false)) return;
            for (String k : map.keySet()) {
                switch (k) {
                    case "rule", "append" -> { }
                    case "condition", "exceptions" -> apply(existing, tmp, k, true);
                    default -> d.warning(f.pos(map.get(k).key), "key '" + k + "' is ignored when appending to a rule (only condition and exceptions append)");
                }
            }
            return;
        }
        boolean onlyEnabled = map.containsKey("enabled");
        for (String k : map.keySet()) onlyEnabled &= k.equals("rule") || k.equals("enabled");
        if (onlyEnabled) {
            Boolean en = bool(map.get("enabled"));
            if (en == null) return;
            if (existing == null) {
                d.error(namePos, "rule '" + name + "' is not defined; an item with only 'enabled' changes an existing rule");
                return;
            }
            existing.enabled = en;
            return;
        }
        RuleDef def = new RuleDef(name, namePos);
        // A definition with errors is kept (marked broken) so its condition and output are still checked.
        def.broken = !fill(def, map, true);
        if (def.priority == null) def.priority = dev.vigil.rules.Priority.DEBUG;
        rules.put(name, def);
    }

    /** Copies the keys present in {@code map} into {@code r}; with {@code full}, checks the required keys. */
    private boolean fill(RuleDef r, Map<String, Entry> map, boolean full) {
        boolean ok = true;
        if (full) {
            for (String k : List.of("condition", "output", "desc", "priority")) {
                if (!map.containsKey(k)) {
                    d.error(r.pos, "rule '" + r.name + "' has no '" + k + "'");
                    ok = false;
                }
            }
        }
        Entry e;
        if ((e = map.get("condition")) != null) {
            ScalarNode s = scalar(e, "a condition string");
            if (s == null) ok = false;
            else r.condition.add(text(s));
        }
        if ((e = map.get("output")) != null) {
            ScalarNode s = scalar(e, "an output string");
            if (s == null) ok = false;
            else r.output.add(text(s));
        }
        if ((e = map.get("desc")) != null) {
            ScalarNode s = scalar(e, "a description string");
            if (s == null) ok = false;
            else r.desc = s.getValue();
        }
        if ((e = map.get("priority")) != null) {
            ScalarNode s = scalar(e, "a priority");
            if (s == null) ok = false;
            else {
                r.priority = Priority.parse(s.getValue());
                if (r.priority == null) {
                    d.error(f.pos(s), "invalid priority '" + s.getValue() + "' (expected EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO or DEBUG)");
                    ok = false;
                }
            }
        }
        if ((e = map.get("enabled")) != null) {
            Boolean b = bool(e);
            if (b == null) ok = false;
            else r.enabled = b;
        }
        if ((e = map.get("tags")) != null) {
            List<ScalarNode> t = scalars(e);
            if (t == null) ok = false;
            else for (ScalarNode s : t) r.tags.add(s.getValue());
        }
        if ((e = map.get("source")) != null) {
            ScalarNode s = scalar(e, "a source name");
            if (s == null) ok = false;
            else r.source = s.getValue();
        }
        if ((e = map.get("warn_evttypes")) != null) {
            Boolean b = bool(e);
            if (b == null) ok = false;
            else r.warnEvttypes = b;
        }
        if ((e = map.get("skip-if-unknown-filter")) != null) {
            Boolean b = bool(e);
            if (b == null) ok = false;
            else r.skipIfUnknownFilter = b;
        }
        if ((e = map.get("required_engine_version")) != null) engineVersion(e);
        // Falco 0.44's capture keys: checked and kept; Vigil writes captures with `vigil capture`, not per rule
        if ((e = map.get("capture")) != null) {
            Boolean b = bool(e);
            if (b == null) ok = false;
            else r.capture = b;
        }
        if ((e = map.get("capture_duration")) != null) {
            ScalarNode s = scalar(e, "a duration in milliseconds");
            if (s == null) ok = false;
            else {
                try {
                    r.captureDurationMs = Long.parseLong(s.getValue().trim());
                    if (r.captureDurationMs < 0) throw new NumberFormatException();
                } catch (NumberFormatException x) {
                    d.error(f.pos(s), "capture_duration must be a number of milliseconds, not '" + s.getValue() + "'");
                    ok = false;
                }
            }
        }
        if ((e = map.get("exceptions")) != null) {
            if (!exceptions(e, r.exceptions, full)) ok = false;
        }
        return ok;
    }

    private void apply(RuleDef into, RuleDef from, String key, boolean append) {
        if (into.applyShared(from, key, append, d)) return;
        switch (key) {
            case "warn_evttypes" -> into.warnEvttypes = from.warnEvttypes;
            case "skip-if-unknown-filter" -> into.skipIfUnknownFilter = from.skipIfUnknownFilter;
            case "capture" -> into.capture = from.capture;
            case "capture_duration" -> into.captureDurationMs = from.captureDurationMs;
            default -> { }
        }
    }

    boolean exceptions(Entry e, List<ExceptionDef> out, boolean full) {
        if (isNull(e.value)) return true;
        if (!(e.value instanceof SequenceNode seq)) {
            d.error(f.pos(e.value), "'exceptions' must be a list");
            return false;
        }
        boolean ok = true;
        for (Node n : seq.getValue()) {
            if (!(n instanceof MappingNode em)) {
                d.error(f.pos(n), "each exception must be a mapping with name, fields, comps, values");
                ok = false;
                continue;
            }
            Map<String, Entry> m = mapping(em);
            unknownKeys(m, Set.of("name", "fields", "comps", "values"), "exception");
            Entry ne = m.get("name");
            if (ne == null) {
                d.error(f.pos(em), "exception has no 'name'");
                ok = false;
                continue;
            }
            String name = name(ne, "exception");
            if (name == null) {
                ok = false;
                continue;
            }
            ExceptionDef x = new ExceptionDef(name, f.pos(ne.value));
            Entry fe = m.get("fields");
            if (fe != null) {
                if (fe.value instanceof ScalarNode fs) {
                    x.fields = List.of(text(fs));
                } else {
                    List<ScalarNode> fl = scalars(fe);
                    if (fl == null) {
                        ok = false;
                        continue;
                    }
                    x.fields = fl.stream().map(this::text).toList();
                    x.fieldsIsList = true;
                }
            } else if (full) {
                d.error(x.pos, "exception '" + name + "' has no 'fields'");
                ok = false;
                continue;
            }
            Entry ce = m.get("comps");
            if (ce != null) {
                x.compsGiven = true;
                if (ce.value instanceof ScalarNode cs) {
                    x.comps = List.of(text(cs));
                    if (x.fieldsIsList) {
                        d.error(f.pos(cs), "exception '" + name + "': 'comps' must be a list when 'fields' is a list");
                        ok = false;
                        continue;
                    }
                } else {
                    List<ScalarNode> cl = scalars(ce);
                    if (cl == null) {
                        ok = false;
                        continue;
                    }
                    x.comps = cl.stream().map(this::text).toList();
                    if (!x.fieldsIsList && fe != null) {
                        d.error(f.pos(ce.value), "exception '" + name + "': 'comps' must be a single operator when 'fields' is a single field");
                        ok = false;
                        continue;
                    }
                    if (x.fieldsIsList && x.comps.size() != x.fields.size()) {
                        d.error(f.pos(ce.value), "exception '" + name + "' has " + x.fields.size() + " fields but " + x.comps.size() + " comps");
                        ok = false;
                        continue;
                    }
                }
            }
            Entry ve = m.get("values");
            if (ve != null && !isNull(ve.value)) {
                if (!(ve.value instanceof SequenceNode vs)) {
                    d.error(f.pos(ve.value), "exception '" + name + "': 'values' must be a list");
                    ok = false;
                    continue;
                }
                for (Node vn : vs.getValue()) {
                    List<Value> tuple = new ArrayList<>();
                    if (x.fieldsIsList || (fe == null && vn instanceof SequenceNode)) {
                        if (!(vn instanceof SequenceNode tn)) {
                            d.error(f.pos(vn), "exception '" + name + "': each value must be a list matching the fields");
                            ok = false;
                            continue;
                        }
                        for (Node tv : tn.getValue()) {
                            Value v = value(tv, name);
                            if (v == null) ok = false;
                            else tuple.add(v);
                        }
                        if (fe != null && tuple.size() != x.fields.size()) {
                            d.error(f.pos(vn), "exception '" + name + "': value has " + tuple.size() + " items but there are " + x.fields.size() + " fields");
                            ok = false;
                            continue;
                        }
                    } else {
                        Value v = value(vn, name);
                        if (v == null) {
                            ok = false;
                            continue;
                        }
                        tuple.add(v);
                    }
                    x.values.add(tuple);
                }
            }
            out.add(x);
        }
        return ok;
    }

    private Value value(Node n, String exc) {
        if (n instanceof ScalarNode s) return new Value(text(s), null, f.pos(s));
        if (n instanceof SequenceNode sq) {
            List<Text> l = new ArrayList<>();
            for (Node i : sq.getValue()) {
                if (i instanceof ScalarNode s) l.add(text(s));
                else {
                    d.error(f.pos(i), "exception '" + exc + "': values nest too deep");
                    return null;
                }
            }
            return new Value(null, l, f.pos(sq));
        }
        d.error(f.pos(n), "exception '" + exc + "': a value must be a single value or a list");
        return null;
    }
}
