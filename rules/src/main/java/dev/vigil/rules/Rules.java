package dev.vigil.rules;

import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.load.RuleLoader;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry points for the command line (no picocli here): {@link #validate} for {@code vigil rules validate},
 * {@link #printFields} for {@code vigil list fields}, {@link #load} to build a rule set.
 */
public final class Rules {
    private Rules() {}

    /** The result of validating rules files: every diagnostic, and the exit code (1 if any error). */
    public record Validation(List<Diagnostic> diagnostics) {
        public boolean hasErrors() { return diagnostics.stream().anyMatch(Diagnostic::isError); }

        public int exitCode() { return hasErrors() ? 1 : 0; }

        /** Prints each diagnostic as {@code FILE:LINE:COL: message}. */
        public void print(PrintStream out) {
            for (Diagnostic d : diagnostics) out.println(d);
        }
    }

    /** Checks the files (as loaded together, in order) without a kernel. */
    public static Validation validate(List<Path> files) {
        RuleLoader.Result r = RuleLoader.loadFiles(files, EngineOptions.defaults().withHostname("localhost"));
        return new Validation(r.diagnostics());
    }

    /** Loads the files into a rule set. */
    public static RuleSet load(List<Path> files, EngineOptions options) throws RuleLoadException {
        RuleLoader.Result r = RuleLoader.loadFiles(files, options);
        if (!r.ok()) throw new RuleLoadException(r.diagnostics());
        return r.ruleSet();
    }

    /** Prints the supported fields like {@code falco --list}. */
    public static void printFields(PrintStream out) { FieldRegistry.printTable(out); }
}
