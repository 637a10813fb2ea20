package dev.vigil.policy;

/** Where something is in a policy file: 1-based line and column, as editors show them. */
public record Position(String file, int line, int column) {
    public static Position of(String file) {
        return new Position(file, 0, 0);
    }

    @Override
    public String toString() {
        return line <= 0 ? file : file + ":" + line + ":" + column;
    }

    /** A problem here, as one line. */
    public PolicyException error(String message) {
        return new PolicyException(this + ": " + message);
    }
}
