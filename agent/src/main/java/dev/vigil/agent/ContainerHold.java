package dev.vigil.agent;

import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.events.ContainerView;
import dev.vigil.events.Event;
import dev.vigil.events.EventView;
import dev.vigil.sensor.SensorEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Holds the events of a container whose metadata is on its way. A container's first processes run before the
 * runtime has described it (the inspect made at the runtime's "create" event waits for the daemon to finish
 * starting the container), so their events are copied and evaluated once the metadata is there, at most
 * {@code holdNanos} after the container was first seen; rules such as "Launch Privileged Container" then see
 * container.privileged on the container's first exec. Only a container whose runtime is being asked is held,
 * and while earlier events of a container are held, its later ones queue behind them. Reader thread only.
 */
final class ContainerHold {
    private static final int MAX_HELD = 8192;

    private record Held(Event event, long cgroupId, String cgroupPath, long deadline) {}

    private final long holdNanos;
    private final ContainerResolver containers;
    private final Metrics metrics;
    private final Consumer<EventView> evaluate;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final Map<String, Long> firstSeen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Long> e) { return size() > 4096; }
    };

    /** {@code holdNanos} 0: nothing is held. */
    ContainerHold(long holdNanos, ContainerResolver containers, Metrics metrics, Consumer<EventView> evaluate) {
        this.holdNanos = holdNanos;
        this.containers = containers;
        this.metrics = metrics;
        this.evaluate = evaluate;
    }

    boolean isEmpty() { return held.isEmpty(); }

    /** Copies and holds the event when its container's metadata is still being fetched; false: evaluate it now. */
    boolean hold(SensorEvent ev) {
        if (holdNanos <= 0) return false;
        if (!(ev.container() instanceof ContainerInfo ci) || ci.complete()) return false;
        long now = System.nanoTime(); // (only here: not a clock read per event)
        String id = ci.fullId().toString();
        if (!containers.metadataPending(id) && !holding(ev.cgroupId())) {
            // the fetch may have ended between the event's lookup and this one (the reader was preempted, the
            // runtime answered quickly): then the event is judged with the answer, not the id-only view it read
            ContainerView current = containers.resolve(ev.cgroupId(), ev.cgroupPath());
            if (current == ci || !(current instanceof ContainerInfo fresh) || !fresh.complete()) return false;
            evaluate.accept(ev.snapshot().toBuilder().container(fresh).build());
            return true;
        }
        Long first = firstSeen.get(id);
        if (first == null) firstSeen.put(id, first = now);
        long deadline = first + holdNanos;
        if (now - deadline >= 0 || held.size() >= MAX_HELD) {
            metrics.containerUnheld.incrementAndGet();
            return false;
        }
        CharSequence path = ev.cgroupPath();
        held.add(new Held(ev.snapshot(), ev.cgroupId(), path == null ? null : path.toString(), deadline));
        metrics.containerHeld.incrementAndGet();
        return true;
    }

    private boolean holding(long cgroupId) {
        for (Held h : held) if (h.cgroupId() == cgroupId) return true;
        return false;
    }

    /** Evaluates the held events whose container is now described (or whose wait is over; all: every one), in order. */
    void release(long now, boolean all) {
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            ContainerView c = containers.resolve(h.cgroupId(), h.cgroupPath());
            boolean complete = !(c instanceof ContainerInfo ci) || ci.complete() || !containers.metadataPending(ci.fullId());
            if (complete || all || now - h.deadline() >= 0) {
                it.remove();
                evaluate.accept(h.event().toBuilder().container(c).build());
            }
        }
    }
}
