package dev.vigil.policy;

import java.util.Map;

/**
 * Something an enforcer decided, for the agent's outputs: a flow record, a denied exec. {@code type} says which
 * (e.g. {@code flow}); {@code fields} is the JSON object written as one line (Hubble's or Tetragon's names where
 * they exist).
 */
public interface PolicyEvent {
    String type();

    /** Wall-clock time of the decision, nanoseconds since the epoch. */
    long timeNanos();

    Map<String, Object> fields();

    /** The same decision as an event for the rules engine (so a rule can alert on it), or null when it has none. */
    default dev.vigil.events.EventView ruleEvent() {
        return null;
    }
}
