package dev.vigil.agent;

import dev.vigil.rules.RuleLoadException;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.load.RuleLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The rule files of the configuration (rules_files; none: the bundled stable rules and Vigil's correlation rules) loaded into an engine, and
 * the paths to watch for a reload (each file, and each directory given, for files added or removed).
 */
final class RuleFiles {
    /** The bundled default rules (the upstream stable Falco rules, unmodified). */
    static final String BUNDLED_RULES = "/rules/falco_rules.yaml";
    private static final String BUNDLED_NAME = "falco_rules.yaml (bundled)";
    /** Vigil's correlation rules (scans, bursts, attack chains), loaded after the stable rules by default. */
    static final String BUNDLED_CORRELATIONS = "/rules/vigil_correlation_rules.yaml";
    private static final String BUNDLED_CORRELATIONS_NAME = "vigil_correlation_rules.yaml (bundled)";

    private final List<String> configured;
    private volatile List<String> sources = List.of();
    private volatile List<Path> watched = List.of();

    RuleFiles(List<String> configured) {
        this.configured = List.copyOf(configured);
    }

    /**
     * (Re)loads the files into {@code engine}: the new set replaces the running one only when every file loads.
     * Throws {@link IllegalArgumentException} ("rules: FILE:LINE:COL: message") otherwise.
     */
    void loadInto(RulesEngine engine) {
        try {
            if (configured.isEmpty()) {
                engine.loadSources(List.of(new RuleLoader.Source(BUNDLED_NAME, bundled(BUNDLED_RULES)),
                        new RuleLoader.Source(BUNDLED_CORRELATIONS_NAME, bundled(BUNDLED_CORRELATIONS))));
                sources = List.of(BUNDLED_NAME, BUNDLED_CORRELATIONS_NAME);
            } else {
                List<Path> paths = expand(configured);
                engine.load(paths);
                sources = paths.stream().map(Path::toString).toList();
                List<Path> w = new ArrayList<>(paths);
                for (String f : configured) if (Files.isDirectory(Path.of(f))) w.add(Path.of(f));
                watched = List.copyOf(w);
            }
        } catch (RuleLoadException | IOException e) {
            throw new IllegalArgumentException("rules: " + e.getMessage());
        }
    }

    static String bundled(String resource) throws IOException {
        try (InputStream in = RuleFiles.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("bundled rules " + resource + " missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The files loaded last, as given (the bundled file by its name). */
    List<String> sources() { return sources; }

    /** What a change of should reload the rules (empty for the bundled rules). */
    List<Path> watched() { return watched; }

    /** Files as given; a directory stands for its *.yaml/*.yml files in name order (as Falco does). */
    static List<Path> expand(List<String> files) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String f : files) {
            Path p = Path.of(f);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(x -> x.toString().endsWith(".yaml") || x.toString().endsWith(".yml")).sorted().forEach(out::add);
                }
            } else if (!Files.isRegularFile(p)) {
                throw new IOException(f + ": no such rules file");
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
