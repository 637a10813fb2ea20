package dev.vigil.rules.engine;

import dev.vigil.events.EventView;

/**
 * Receives matches from {@link RuleSet#evaluate}. Called on the evaluating thread, only when a rule matched, so
 * nothing is allocated for events that match nothing. Format with {@link CompiledRule#alert} or
 * {@link CompiledRule#formatOutput} inside the callback: a flyweight event is only valid during it.
 */
@FunctionalInterface
public interface AlertSink {
    void onMatch(CompiledRule rule, EventView event);

    /**
     * A correlation completed on {@code event} (its threshold reached, or its last step matched); the alert is
     * already formatted. Sinks that only count rule matches may ignore it.
     */
    default void onCorrelation(dev.vigil.rules.correlation.Correlation correlation, dev.vigil.rules.output.Alert alert,
                               EventView event) { }
}
