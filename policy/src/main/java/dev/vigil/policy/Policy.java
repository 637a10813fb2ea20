package dev.vigil.policy;

/** One loaded policy document of some kind: named, and positioned in its file for messages. */
public interface Policy {
    /** {@code metadata.name} (with {@code metadata.namespace/} in front when it has one). */
    String name();

    /** Where the document starts. */
    Position position();

    /** Audit only (per policy): verdicts reported, nothing denied. */
    default boolean audit() {
        return false;
    }
}
