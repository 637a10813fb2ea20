package dev.vigil.sensor;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.ContainerView;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdView;
import dev.vigil.events.ProcessView;

/**
 * One replayed event: an immutable {@link Event} (its process an immutable {@link dev.vigil.events.Process}
 * whose ancestors are as they were at the event) plus what the sensor knew beyond {@link EventView}: the
 * thread id, the monotonic time, the cgroup.
 */
public final class CapturedEvent implements EventView {
    private final Event event;
    private final int pid, tid;
    private final long monotonicTs, cgroupId;
    private final String cgroupPath;

    CapturedEvent(Event event, int pid, int tid, long monotonicTs, long cgroupId, String cgroupPath) {
        this.event = event;
        this.pid = pid;
        this.tid = tid;
        this.monotonicTs = monotonicTs;
        this.cgroupId = cgroupId;
        this.cgroupPath = cgroupPath;
    }

    /** The immutable event itself. */
    public Event event() { return event; }
    public int pid() { return pid; }
    public int tid() { return tid; }
    public long monotonicTs() { return monotonicTs; }
    public long cgroupId() { return cgroupId; }
    /** The process's cgroup v2 path at capture time, or null. */
    public CharSequence cgroupPath() { return cgroupPath; }

    @Override public EventType type() { return event.type(); }
    @Override public int typeId() { return event.typeId(); }
    @Override public long num() { return event.num(); }
    @Override public long timestamp() { return event.timestamp(); }
    @Override public long rawRes() { return event.rawRes(); }
    @Override public long argLong(int slot) { return event.argLong(slot); }
    @Override public CharSequence argStr(int slot) { return event.argStr(slot); }
    @Override public ByteSequence argBytes(int slot) { return event.argBytes(slot); }
    @Override public ProcessView process() { return event.process(); }
    @Override public FdView fd() { return event.fd(); }
    @Override public ContainerView container() { return event.container(); }
    @Override public int fdListSize() { return event.fdListSize(); }
    @Override public long fdListNum(int i) { return event.fdListNum(i); }
    @Override public FdView fdListFd(int i) { return event.fdListFd(i); }

    @Override
    public String toString() { return event + " pid=" + pid + " tid=" + tid; }
}
