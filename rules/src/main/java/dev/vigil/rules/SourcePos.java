package dev.vigil.rules;

/** A position in a rules file, 1-based line and column. */
public record SourcePos(String file, int line, int column) {
    public static final SourcePos UNKNOWN = new SourcePos("<unknown>", 0, 0);

    @Override
    public String toString() { return file + ":" + line + ":" + column; }
}
