package dev.vigil.policy;

import dev.vigil.events.EventView;
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

    /**
     * The same decision as an event the rules engine evaluates (e.g. {@code evt.type=netpol_deny} for a denied
     * connection), or null when rules have nothing to match in it (an allowed flow). Its process and container are
     * what the enforcer knows; the agent may replace them with its own tables' richer views.
     */
    default EventView ruleEvent() {
        return null;
    }
}
