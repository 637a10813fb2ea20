package dev.vigil.rules;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates ../shared/falco-rules (via VIGIL_PROJECT_ROOT set by surefire, else relative to the working dir). */
public final class TestFiles {
    private TestFiles() {}

    public static Path falcoRules() {
        String root = System.getenv("VIGIL_PROJECT_ROOT");
        if (root != null && !root.isBlank()) {
            Path p = Paths.get(root).resolve("../shared/falco-rules").normalize();
            if (Files.isDirectory(p)) return p;
        }
        Path cwd = Paths.get("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            Path p = d.resolve("../shared/falco-rules").normalize();
            if (Files.isDirectory(p)) return p;
            p = d.resolve("shared/falco-rules");
            if (Files.isDirectory(p)) return p;
        }
        throw new IllegalStateException("cannot find ../shared/falco-rules from " + cwd);
    }

    public static Path stable() { return falcoRules().resolve("falco_rules.yaml"); }

    public static Path incubating() { return falcoRules().resolve("falco-incubating_rules.yaml"); }

    public static Path sandbox() { return falcoRules().resolve("falco-sandbox_rules.yaml"); }
}
