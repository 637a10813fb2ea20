package dev.vigil.policy;

import java.util.List;

/**
 * A policy that cannot be loaded: one or more lines, each {@code FILE:LINE:COL: message}. An
 * {@link IllegalArgumentException}, so the CLI reports it as a usage problem (exit 2) without a stack trace.
 */
public final class PolicyException extends IllegalArgumentException {
    private final List<String> problems;

    public PolicyException(String problem) {
        this(List.of(problem));
    }

    public PolicyException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, positioned. */
    public List<String> problems() {
        return problems;
    }
}
