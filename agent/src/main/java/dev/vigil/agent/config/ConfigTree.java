package dev.vigil.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The merged configuration document as Falco builds it: the main file, then each {@code config_files} entry merged
 * in order (strategy append, override or add-only), then {@code -o} assignments set at their path
 * ({@code a.b[0].c}), before any key is typed. Every node keeps where it came from: file nodes their
 * {@code FILE:LINE:COL}, {@code -o} nodes the assignment.
 */
final class ConfigTree {
    enum Strategy { APPEND, OVERRIDE, ADD_ONLY }

    /** A node's origin when it came from {@code -o}: its mark's name starts with this. */
    private static final String OVERRIDE_LABEL = "-o ";

    private MappingNode root = emptyMap();
    private final List<String> notes = new ArrayList<>();

    MappingNode root() { return root; }

    /** Lines to report at start (config_files entries that do not exist, ...). */
    List<String> notes() { return notes; }

    /** Reads the main file (or merges a later one over what is there); false if it is missing and not required. */
    boolean readMain(Path path, boolean required) {
        Optional<MappingNode> m = compose(path, required);
        if (m.isEmpty()) return false;
        if (root.getValue().isEmpty()) root = m.get();
        else merge(root, m.get(), Strategy.OVERRIDE);
        includeConfigFiles(path, m.get());
        return true;
    }

    /** Falco's {@code config_files}: files or directories (their *.yaml/*.yml, by name) merged in order. */
    private void includeConfigFiles(Path from, MappingNode m) {
        Node list = get(m, "config_files");
        if (list == null) return;
        List<Node> items = list instanceof SequenceNode s ? s.getValue() : List.of(list);
        for (Node item : items) {
            String file;
            Strategy strategy = Strategy.APPEND;
            if (item instanceof ScalarNode sc) {
                file = sc.getValue();
            } else if (item instanceof MappingNode im && get(im, "path") instanceof ScalarNode p) {
                file = p.getValue();
                if (get(im, "strategy") instanceof ScalarNode st) {
                    strategy = switch (st.getValue()) {
                        case "append" -> Strategy.APPEND;
                        case "override" -> Strategy.OVERRIDE;
                        case "add-only" -> Strategy.ADD_ONLY;
                        default -> throw new ConfigException(pos(st) + ": config_files: strategy must be append, override "
                                + "or add-only, not '" + st.getValue() + "'");
                    };
                }
            } else {
                throw new ConfigException(pos(item) + ": config_files: each item is a path or {path: P, strategy: S}");
            }
            Path p = Path.of(expandEnv(file));
            if (!p.isAbsolute() && from.getParent() != null) p = from.getParent().resolve(p);
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new ConfigException(pos(item) + ": config_files: cannot list " + p + ": " + e.getMessage());
                }
            } else if (Files.exists(p)) {
                files.add(p);
            } else {
                notes.add(pos(item) + ": config_files: " + p + " does not exist, skipped");
                continue;
            }
            for (Path f : files) {
                MappingNode inc = compose(f, true).orElse(null);
                if (inc == null) continue;
                Node nested = get(inc, "config_files");
                if (nested != null) {
                    throw new ConfigException(pos(nested) + ": config_files in an included file is not allowed (as in Falco)");
                }
                merge(root, inc, strategy);
            }
        }
    }

    private static Optional<MappingNode> compose(Path path, boolean required) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            if (!required) return Optional.empty();
            throw new ConfigException(path + ": no such config file");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot read config file: " + e.getMessage());
        }
        Optional<Node> n;
        try {
            n = new Compose(LoadSettings.builder().setLabel(path.toString()).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            Mark mk = e.getProblemMark().or(e::getContextMark).orElse(null);
            String where = mk == null ? path.toString() : path + ":" + (mk.getLine() + 1) + ":" + (mk.getColumn() + 1);
            throw new ConfigException(where + ": invalid YAML: " + firstLine(e.getProblem()));
        } catch (RuntimeException e) {
            throw new ConfigException(path + ": invalid YAML: " + firstLine(e.getMessage()));
        }
        if (n.isEmpty()) return Optional.of(emptyMap());
        if (!(n.get() instanceof MappingNode m)) {
            throw new ConfigException(pos(n.get()) + ": the config file must be a mapping of keys to values");
        }
        return Optional.of(m);
    }

    /** Merges {@code src} into {@code dst}: mappings recursively; sequences appended (APPEND) or replaced. */
    static void merge(MappingNode dst, MappingNode src, Strategy strategy) {
        for (NodeTuple t : src.getValue()) {
            String key = keyOf(t);
            int i = indexOf(dst, key);
            if (i < 0) {
                dst.getValue().add(t);
                continue;
            }
            if (strategy == Strategy.ADD_ONLY) continue;
            Node old = dst.getValue().get(i).getValueNode();
            Node now = t.getValueNode();
            if (old instanceof MappingNode om && now instanceof MappingNode nm) {
                merge(om, nm, strategy);
            } else if (strategy == Strategy.APPEND && old instanceof SequenceNode os && now instanceof SequenceNode ns) {
                List<Node> all = new ArrayList<>(os.getValue());
                all.addAll(ns.getValue());
                dst.getValue().set(i, new NodeTuple(dst.getValue().get(i).getKeyNode(),
                        new SequenceNode(Tag.SEQ, true, all, FlowStyle.BLOCK, os.getStartMark(), os.getEndMark())));
            } else {
                dst.getValue().set(i, t);
            }
        }
    }

    /**
     * Falco's {@code -o KEY=VALUE}: KEY a dotted path with list indexes ({@code rules_files[0]},
     * {@code plugins[1].init_config}); VALUE a YAML flow collection ({@code [a, b]}, {@code {k: v}}) or a scalar.
     */
    void override(String assignment) {
        String origin = OVERRIDE_LABEL + assignment;
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new ConfigException(origin + ": expected key=value");
        String key = assignment.substring(0, eq).trim();
        String raw = assignment.substring(eq + 1);
        if (key.equals("rules_file")) key = "rules_files"; // Falco's old name
        Node value;
        String t = raw.strip();
        if (t.startsWith("[") || t.startsWith("{")) {
            try {
                value = new Compose(LoadSettings.builder().setLabel(origin).build()).composeString(raw)
                        .orElseThrow(() -> new ConfigException(origin + ": empty value"));
            } catch (MarkedYamlEngineException e) {
                throw new ConfigException(origin + ": invalid YAML value: " + firstLine(e.getProblem()));
            }
        } else {
            value = scalar(raw, origin);
        }
        List<Object> path = parsePath(key, origin);
        Node parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            parent = child(parent, path.get(i), path.get(i + 1) instanceof Integer, origin, key);
        }
        put(parent, path.getLast(), value, origin, key);
        if (path.equals(List.of("config_files"))) {
            // Falco's -o config_files=...: those files are merged too (relative paths from the working directory)
            MappingNode only = emptyMap(origin);
            only.getValue().add(new NodeTuple(scalar("config_files", origin), value));
            includeConfigFiles(Path.of("").toAbsolutePath().resolve("-o"), only);
        }
    }

    /** "a.b[0].c" as ["a", "b", 0, "c"]. */
    static List<Object> parsePath(String key, String origin) {
        List<Object> out = new ArrayList<>();
        for (String part : key.split("\\.", -1)) {
            int b = part.indexOf('[');
            String name = b < 0 ? part : part.substring(0, b);
            if (name.isEmpty() && (b != 0 || out.isEmpty())) throw new ConfigException(origin + ": bad key '" + key + "'");
            if (!name.isEmpty()) out.add(name);
            while (b >= 0) {
                int e = part.indexOf(']', b);
                if (e < 0) throw new ConfigException(origin + ": bad key '" + key + "' (unclosed [)");
                try {
                    out.add(Integer.parseInt(part.substring(b + 1, e).trim()));
                } catch (NumberFormatException x) {
                    throw new ConfigException(origin + ": bad list index in '" + key + "'");
                }
                b = part.indexOf('[', e);
                if (b < 0 && e != part.length() - 1) throw new ConfigException(origin + ": bad key '" + key + "'");
            }
        }
        return out;
    }

    private static Node child(Node parent, Object seg, boolean wantList, String origin, String key) {
        Node c = getAt(parent, seg, origin, key);
        if (c == null || c instanceof ScalarNode) {
            c = wantList ? new SequenceNode(Tag.SEQ, true, new ArrayList<>(), FlowStyle.BLOCK, mark(origin), mark(origin)) : emptyMap(origin);
            put(parent, seg, c, origin, key);
        }
        return c;
    }

    private static Node getAt(Node parent, Object seg, String origin, String key) {
        if (seg instanceof Integer i) {
            if (!(parent instanceof SequenceNode s)) throw new ConfigException(origin + ": '" + key + "': not a list there");
            return i < s.getValue().size() ? s.getValue().get(i) : null;
        }
        if (!(parent instanceof MappingNode m)) throw new ConfigException(origin + ": '" + key + "': not a mapping there");
        return get(m, (String) seg);
    }

    private static void put(Node parent, Object seg, Node value, String origin, String key) {
        if (seg instanceof Integer i) {
            if (!(parent instanceof SequenceNode s)) throw new ConfigException(origin + ": '" + key + "': not a list there");
            if (i < s.getValue().size()) s.getValue().set(i, value);
            else if (i == s.getValue().size()) s.getValue().add(value);
            else throw new ConfigException(origin + ": list index " + i + " is past the end (the list has " + s.getValue().size() + " items)");
            return;
        }
        if (!(parent instanceof MappingNode m)) throw new ConfigException(origin + ": '" + key + "': not a mapping there");
        int i = indexOf(m, (String) seg);
        NodeTuple t = new NodeTuple(scalar((String) seg, origin), value);
        if (i < 0) m.getValue().add(t);
        else m.getValue().set(i, new NodeTuple(m.getValue().get(i).getKeyNode(), value));
    }

    static Node get(MappingNode m, String key) {
        int i = indexOf(m, key);
        return i < 0 ? null : m.getValue().get(i).getValueNode();
    }

    private static int indexOf(MappingNode m, String key) {
        List<NodeTuple> v = m.getValue();
        for (int i = 0; i < v.size(); i++) if (key.equals(keyOf(v.get(i)))) return i;
        return -1;
    }

    static String keyOf(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
    }

    private static MappingNode emptyMap() {
        return new MappingNode(Tag.MAP, true, new ArrayList<>(), FlowStyle.BLOCK, Optional.empty(), Optional.empty());
    }

    private static MappingNode emptyMap(String origin) {
        return new MappingNode(Tag.MAP, true, new ArrayList<>(), FlowStyle.BLOCK, mark(origin), mark(origin));
    }

    private static ScalarNode scalar(String s, String origin) {
        return new ScalarNode(Tag.STR, true, s, ScalarStyle.PLAIN, mark(origin), mark(origin));
    }

    private static Optional<Mark> mark(String origin) {
        return Optional.of(new Mark(origin, 0, 0, 0, new int[0], 0));
    }

    /** Where a node came from: FILE:LINE:COL, or the {@code -o} assignment. */
    static String pos(Node n) {
        return n.getStartMark().map(m -> m.getName().startsWith(OVERRIDE_LABEL) ? m.getName()
                : m.getName() + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("?");
    }

    /** Falco's ${VAR} interpolation ($${...} for a literal). */
    static String expandEnv(String s) {
        if (s.indexOf('$') < 0) return s;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '$' && s.startsWith("$${", i)) {
                out.append("${");
                i += 2;
            } else if (c == '$' && s.startsWith("${", i) && s.indexOf('}', i) > 0) {
                int e = s.indexOf('}', i);
                out.append(System.getenv().getOrDefault(s.substring(i + 2, e), ""));
                i = e;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String firstLine(String s) {
        if (s == null) return "syntax error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
