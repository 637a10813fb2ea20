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
}
