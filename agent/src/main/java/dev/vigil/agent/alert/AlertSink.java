package dev.vigil.agent.alert;

import dev.vigil.events.EventView;
import dev.vigil.rules.output.Alert;

/**
 * Where the {@link AlertPipeline} hands an alert that passed the threshold, the rate limit and dedup: the
 * outputs, and responses (kill, stop a container, run a program) plug in here too. Called on the reader
 * thread: a sink never blocks (it queues, and counts what it cannot queue).
 */
@FunctionalInterface
public interface AlertSink {
    /**
     * @param alert the alert in Falco's shape
     * @param text  its text line ("TIME: Priority output")
     * @param event the event that raised it, valid only during this call; null for the agent's own alerts
     */
    void accept(Alert alert, String text, EventView event);
}
