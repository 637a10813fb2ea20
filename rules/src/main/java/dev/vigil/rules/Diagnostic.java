package dev.vigil.rules;

/**
 * One problem found in a rules file, printed as {@code FILE:LINE:COL: message} (warnings as
 * {@code FILE:LINE:COL: warning: message}). Line and column are 1-based; 0 when unknown.
 */
public record Diagnostic(Severity severity, String file, int line, int column, String message) {
    /** Whether a diagnostic is an error (the file set is rejected) or a warning. */
    public enum Severity { ERROR, WARNING }

    public static Diagnostic error(SourcePos pos, String message) {
        return new Diagnostic(Severity.ERROR, pos.file(), pos.line(), pos.column(), message);
    }

    public static Diagnostic warning(SourcePos pos, String message) {
        return new Diagnostic(Severity.WARNING, pos.file(), pos.line(), pos.column(), message);
    }

    public boolean isError() { return severity == Severity.ERROR; }

    public SourcePos pos() { return new SourcePos(file, line, column); }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (isError() ? "" : "warning: ") + message;
    }
}
