package dev.vigil.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads policy files: each YAML document ({@code ---} separated) is dispatched by {@code apiVersion} and {@code kind}
 * to its {@link PolicyKind}; a {@code <kind>List} document's {@code items} are read one by one. A folder loads its
 * {@code *.yaml}/{@code *.yml} files in name order. Every problem of every file is collected and reported together,
 * each as {@code FILE:LINE:COL: message}; one bad document fails the whole load (a reload keeps the running set).
 */
public final class PolicyLoader {
    private final PolicyKinds kinds;

    public PolicyLoader(PolicyKinds kinds) {
        this.kinds = kinds;
    }

    public static PolicyLoader installed() {
        return new PolicyLoader(PolicyKinds.installed());
    }

    public PolicyKinds kinds() {
        return kinds;
    }

    public PolicySet load(List<Path> files) {
        List<String> problems = new ArrayList<>();
        Map<PolicyKind<?>, List<Policy>> byKind = new LinkedHashMap<>();
        Map<String, Policy> names = new LinkedHashMap<>();
        for (Path f : expand(files, problems)) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                problems.add(f + ": no such policy file");
                continue;
            } catch (IOException e) {
                problems.add(f + ": cannot read: " + e.getMessage());
                continue;
            }
            loadText(f.toString(), text, problems, p -> {
                PolicyKind<?> k = kindOf(p);
                String kind = p.documentKind() != null ? p.documentKind() : k.kind();
                Policy first = names.putIfAbsent(kind + "/" + p.name(), p);
                if (first != null) {
                    problems.add(p.position() + ": duplicate " + kind + " '" + p.name() + "' (first at " + first.position() + ")");
                } else {
                    byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(p);
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return new PolicySet(byKind);
    }

    /** Parses one file's text; the label names it in messages. */
    public PolicySet loadText(String label, String text) {
        List<String> problems = new ArrayList<>();
        Map<PolicyKind<?>, List<Policy>> byKind = new LinkedHashMap<>();
        loadText(label, text, problems, p -> byKind.computeIfAbsent(kindOf(p), x -> new ArrayList<>()).add(p));
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return new PolicySet(byKind);
    }

    private PolicyKind<?> kindOf(Policy p) {
        return kinds.all().stream().filter(k -> k.policyClass().isInstance(p)).findFirst().orElseThrow();
    }

    /** Parses each document in order, handing each policy to {@code out} as it comes (so problems stay in file order). */
    private void loadText(String label, String text, List<String> problems, Consumer<Policy> out) {
        List<Node> docs = new ArrayList<>();
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(label).build();
            new Compose(settings).composeAllFromString(text).forEach(docs::add);
        } catch (MarkedYamlEngineException e) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            String where = m == null ? label : label + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1);
            problems.add(where + ": invalid YAML: " + firstLine(e.getProblem()));
            return;
        } catch (RuntimeException e) {
            problems.add(label + ": invalid YAML: " + firstLine(e.getMessage()));
            return;
        }
        for (Node d : docs) {
            YamlNode doc = new YamlNode(label, d, "");
            if (doc.isNull()) continue; // an empty document (a trailing ---)
            try {
                document(doc, null, out, problems);
            } catch (PolicyException e) {
                problems.addAll(e.problems());
            }
        }
    }

    private void document(YamlNode doc, YamlNode list, Consumer<Policy> out, List<String> problems) {
        Map<String, YamlNode> fields = doc.fields();
        YamlNode apiNode = fields.get("apiVersion");
        YamlNode kindNode = fields.get("kind");
        String apiVersion = apiNode != null ? apiNode.text() : null;
        String kind = kindNode != null ? kindNode.text() : null;
        if (list != null && (apiVersion == null || kind == null)) {
            // an item of a list may leave out what its list already says
            String listKind = list.require("kind").text();
            String listApi = list.require("apiVersion").text();
            PolicyKind<?> k = kinds.byListKind(listApi, listKind).orElseThrow();
            apiVersion = apiVersion == null ? k.apiVersion() : apiVersion;
            kind = kind == null ? PolicyKinds.itemKind(k, listKind) : kind;
        }
        if (apiVersion == null) throw doc.error("the document needs 'apiVersion' (e.g. cilium.io/v2)");
        if (kind == null) throw doc.error("the document needs 'kind' (e.g. CiliumNetworkPolicy)");
        var single = kinds.byKind(apiVersion, kind);
        if (single.isPresent()) {
            out.accept(single.get().parse(doc, kind));
            return;
        }
        if (list == null && kinds.byListKind(apiVersion, kind).isPresent()) {
            for (YamlNode item : doc.require("items").items()) {
                try {
                    document(item, doc, out, problems);
                } catch (PolicyException e) {
                    problems.addAll(e.problems());
                }
            }
            return;
        }
        YamlNode at = kindNode != null ? kindNode : doc;
        throw at.error("unsupported policy kind '" + apiVersion + " " + kind + "' (supported: " + kinds.describe() + ")");
    }

    private static List<Path> expand(List<Path> files, List<String> problems) {
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                try (Stream<Path> s = Files.list(f)) {
                    s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().forEach(out::add);
                } catch (IOException e) {
                    problems.add(f + ": cannot list: " + e.getMessage());
                }
            } else {
                out.add(f);
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
