package dev.vigil.agent;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdView;
import dev.vigil.events.ProcessView;
import dev.vigil.sensor.ProcessEntry;
import dev.vigil.sensor.Sensor;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The enforcers' decisions as rule events ({@code evt.type=netpol_deny}): handed over by the flow reader's thread
 * through a bounded queue (a full queue counts the event as dropped, never blocks the enforcer), evaluated on the
 * reader thread like every sensor event, so the rules engine stays single-threaded. There, each event gets the
 * sensor's view of its process (exe, command line, ancestors: what a rule on a sensor event reads) when the
 * process table knows the pid, and the sensor's container view when the enforcer had none.
 */
final class PolicyRuleEvents implements Consumer<EventView> {
    /** The event types the policy engine produces rather than the sensor. */
    static final Set<EventType> TYPES = EnumSet.of(EventType.NETPOL_DENY);
    static final int CAPACITY = 8192;

    private final ArrayBlockingQueue<EventView> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong received = new AtomicLong(), dropped = new AtomicLong();

    @Override
    public void accept(EventView e) {
        received.incrementAndGet();
        if (!queue.offer(e)) dropped.incrementAndGet();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** On the reader thread: every queued event, enriched from the sensor's tables (null: as the enforcer gave it). */
    void drain(Sensor sensor, Consumer<EventView> evaluate) {
        EventView e;
        while ((e = queue.poll()) != null) evaluate.accept(enrich(e, sensor));
    }

    static EventView enrich(EventView e, Sensor sensor) {
        ProcessView p = e.process();
        if (sensor == null || p == null) return e;
        ProcessEntry known = sensor.processTable().get(p.pid());
        if (known == null) return e;
        ContainerView c = e.container();
        if (c == null && known.cgroupPath() != null && sensor.containers() != null) c = sensor.containers().resolve(known.cgroupId(), known.cgroupPath());
        return new Enriched(e, known, c);
    }

    long received() {
        return received.get();
    }

    long dropped() {
        return dropped.get();
    }

    /** An event with the process (and container) replaced; everything else is the original's. */
    private record Enriched(EventView base, ProcessView process, ContainerView container) implements EventView {
        @Override public EventType type() { return base.type(); }
        @Override public long num() { return base.num(); }
        @Override public long timestamp() { return base.timestamp(); }
        @Override public long rawRes() { return base.rawRes(); }
        @Override public long argLong(int slot) { return base.argLong(slot); }
        @Override public CharSequence argStr(int slot) { return base.argStr(slot); }
        @Override public ByteSequence argBytes(int slot) { return base.argBytes(slot); }
        @Override public FdView fd() { return base.fd(); }
    }
}
