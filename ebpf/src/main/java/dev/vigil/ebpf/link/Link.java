package dev.vigil.ebpf.link;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.internal.LibBpf;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * An attachment of a program to a hook. One kind per attach type, so callers can see what a link is
 * attached to. Closing detaches (exactly once); a closed link refuses further use.
 */
public abstract sealed class Link implements AutoCloseable {
    private final MemorySegment handle;
    private volatile boolean closed;
    private BpfObject owner;

    Link(MemorySegment handle) {
        this.handle = handle;
    }

    /** Called by the program that created the link, so its object can detach leftovers on close. */
    public final void bind(BpfObject object) {
        this.owner = object;
        object.register(this);
    }

    /** The link's file descriptor (for pinning or bpftool). */
    public final int fd() {
        ensureOpen();
        return LibBpf.linkFd(handle);
    }

    /**
     * Pins the link at {@code path} in bpffs: the attachment then outlives this process (and {@link #close} only
     * drops this process's fd), until the pin is unlinked ({@code pin.Pins.unpin}). Only fd-based links (cgroup,
     * XDP, tracing, raw tracepoint) can be pinned; perf-event links (tracepoints, kprobes) cannot.
     */
    public final void pin(java.nio.file.Path path) {
        dev.vigil.ebpf.pin.Pins.pin(fd(), path, "link " + target());
    }

    public final boolean isClosed() {
        return closed;
    }

    /** What the link is attached to, for messages. */
    public abstract String target();

    protected final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("link " + target() + " is closed");
        }
    }

    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owner != null) {
            owner.unregister(this);
        }
        int rc = LibBpf.linkDestroy(handle);
        if (rc != 0) {
            throw new BpfException("detaching " + target(), rc);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + target() + (closed ? ", closed" : "") + "]";
    }

    /** Attached by section name ({@code bpf_program__attach}). */
    public static final class Auto extends Link {
        public Auto(MemorySegment h) { super(h); }
        @Override public String target() { return "auto-attached program"; }
    }

    public static final class Tracepoint extends Link {
        private final String category;
        private final String name;
        public Tracepoint(MemorySegment h, String category, String name) { super(h); this.category = category; this.name = name; }
        public String category() { return category; }
        public String name() { return name; }
        @Override public String target() { return "tracepoint " + category + ":" + name; }
    }

    public static final class RawTracepoint extends Link {
        private final String name;
        public RawTracepoint(MemorySegment h, String name) { super(h); this.name = name; }
        @Override public String target() { return "raw tracepoint " + name; }
    }

    public static final class BtfTracepoint extends Link {
        private final String section;
        public BtfTracepoint(MemorySegment h, String section) { super(h); this.section = section; }
        @Override public String target() { return "BTF tracepoint " + section; }
    }

    /** fentry / fexit / fmod_ret. */
    public static final class Tracing extends Link {
        private final String section;
        public Tracing(MemorySegment h, String section) { super(h); this.section = section; }
        @Override public String target() { return "trampoline " + section; }
    }

    public static final class Lsm extends Link {
        private final String section;
        public Lsm(MemorySegment h, String section) { super(h); this.section = section; }
        @Override public String target() { return "LSM hook " + section; }
    }

    public static final class Kprobe extends Link {
        private final String function;
        private final boolean retprobe;
        public Kprobe(MemorySegment h, String function, boolean retprobe) { super(h); this.function = function; this.retprobe = retprobe; }
        @Override public String target() { return (retprobe ? "kretprobe " : "kprobe ") + function; }
    }

    public static final class Uprobe extends Link {
        private final Path binary;
        private final String function;
        private final boolean retprobe;
        public Uprobe(MemorySegment h, Path binary, String function, boolean retprobe) { super(h); this.binary = binary; this.function = function; this.retprobe = retprobe; }
        @Override public String target() { return (retprobe ? "uretprobe " : "uprobe ") + binary + ":" + function; }
    }

    public static final class Cgroup extends Link {
        private final Path cgroup;
        public Cgroup(MemorySegment h, Path cgroup) { super(h); this.cgroup = cgroup; }
        public Path cgroup() { return cgroup; }
        @Override public String target() { return "cgroup " + cgroup; }
    }

    public static final class Xdp extends Link {
        private final String interfaceName;
        private final int ifindex;
        public Xdp(MemorySegment h, String interfaceName, int ifindex) { super(h); this.interfaceName = interfaceName; this.ifindex = ifindex; }
        public int ifindex() { return ifindex; }
        @Override public String target() { return "XDP on " + interfaceName; }
    }

    /** A perf_event program on one perf event (one CPU or one process); owns the perf fd. */
    public static final class PerfEvent extends Link {
        private final String event;
        private final int cpu;
        public PerfEvent(MemorySegment h, String event, int cpu) { super(h); this.event = event; this.cpu = cpu; }
        public int cpu() { return cpu; }
        @Override public String target() { return "perf event " + event + (cpu >= 0 ? " on CPU " + cpu : ""); }
    }
}
