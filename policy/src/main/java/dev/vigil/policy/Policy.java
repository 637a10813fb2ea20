package dev.vigil.policy;

/** One loaded policy document of some kind: named, and positioned in its file for messages. */
public interface Policy {
    /** {@code metadata.name} (with {@code metadata.namespace/} in front when it has one). */
    String name();

    /** Where the document starts. */
    Position position();

    /**
     * The document kind it was read from, when its {@link PolicyKind} reads several ({@link PolicyKind#alsoReads()}):
     * names are unique per document kind. Null: the kind's own.
     */
    default String documentKind() {
        return null;
    }

    /** Audit only (per policy): verdicts reported, nothing denied. */
    default boolean audit() {
        return false;
    }
}
