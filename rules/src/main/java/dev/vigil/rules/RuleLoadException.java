package dev.vigil.rules;

import java.util.List;

/**
 * The rules layer's one exception: loading failed, and {@link #diagnostics()} says where and why (each one
 * prints as {@code FILE:LINE:COL: message}). Nothing was loaded; a running engine keeps its previous rule set.
 */
public final class RuleLoadException extends Exception {
    private final List<Diagnostic> diagnostics;

    public RuleLoadException(List<Diagnostic> diagnostics) {
        super(summary(diagnostics), null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
    }

    private static String summary(List<Diagnostic> ds) {
        long errors = ds.stream().filter(Diagnostic::isError).count();
        Diagnostic first = ds.stream().filter(Diagnostic::isError).findFirst().orElse(ds.isEmpty() ? null : ds.getFirst());
        String head = first == null ? "invalid rules" : first.toString();
        return errors > 1 ? head + " (and " + (errors - 1) + " more errors)" : head;
    }

    /** Every error and warning, in file order. */
    public List<Diagnostic> diagnostics() { return diagnostics; }

    public List<Diagnostic> errors() { return diagnostics.stream().filter(Diagnostic::isError).toList(); }
}
