package dev.vigil.ebpf.pin;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.Libc;
import java.nio.file.Path;

/**
 * A link (or program) opened from its pin. A pinned link keeps its program attached with no process holding it;
 * {@link #replaceProgram} swaps the program atomically (an upgrade with no moment unprotected), and unpinning
 * detaches. Closing closes this process's fd only.
 */
public final class PinnedLink implements AutoCloseable {
    private final Path path;
    private final int fd;
    private volatile boolean closed;

    private PinnedLink(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    public static PinnedLink open(Path path) {
        return new PinnedLink(path, Pins.open(path, Pins.Kind.LINK));
    }

    public Path path() { return path; }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("pinned link " + path + " is closed");
        }
        return fd;
    }

    /** The kernel's id of the program the link runs now. */
    public long programId() {
        return Pins.fdinfo(fd(), "prog_id");
    }

    /** The kernel's link id (what bpftool link lists). */
    public long linkId() {
        return Pins.fdinfo(fd(), "link_id");
    }

    /**
     * What a link is attached to, from its fdinfo: read it before unpinning, to wait for the detach after.
     * cgroupId and attachType are those of a cgroup link (0 and -1 otherwise).
     */
    public record Attachment(String linkType, long linkId, long programId, long cgroupId, int attachType) {}

    public Attachment attachment() {
        int fd = fd();
        String type = Pins.fdinfoText(fd, "link_type");
        long cg = Pins.fdinfo(fd, "cgroup_id");
        long at = Pins.fdinfo(fd, "attach_type");
        return new Attachment(type == null ? "unknown" : type, linkId(), programId(), Math.max(cg, 0), (int) at);
    }

    /**
     * Waits (up to the timeout) until an unpinned link is really detached. The kernel frees a link's id before its
     * deferred release detaches the program, so for a cgroup link this asks the cgroup (BPF_PROG_QUERY) until the
     * program is no longer attached there; for other links it waits for the id to go. False on timeout.
     */
    public static boolean awaitDetached(Attachment a, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!awaitGone(a.linkId(), timeout)) return false;
        if (!"cgroup".equals(a.linkType()) || a.cgroupId() == 0) return true;
        Path dir = CgroupDirs.byId(a.cgroupId());
        if (dir == null) return true; // the cgroup is gone, and its programs with it
        while (attachedTo(dir, a.attachType(), a.programId())) {
            if (System.nanoTime() > deadline) return false;
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** Whether the program is attached directly to the cgroup folder for the attach type. */
    static boolean attachedTo(Path cgroup, int attachType, long programId) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment errno = dev.vigil.ebpf.internal.Native.newErrnoState(arena);
            int fd = Libc.open(errno, arena.allocateFrom(cgroup.toString()), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (fd < 0) return false; // removed
            try {
                var flags = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
                var ids = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT, 256);
                var count = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
                count.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 256);
                int rc = LibBpf.progQuery(fd, attachType, flags, ids, count);
                if (rc != 0) return false;
                int n = count.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < Math.min(n, 256); i++) {
                    if (Integer.toUnsignedLong(ids.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i)) == programId) return true;
                }
                return false;
            } finally {
                Libc.close(fd);
            }
        }
    }

    /**
     * Whether the kernel still has a link with this id. Unpinning frees a link asynchronously (the pin's inode
     * goes after an RCU grace period), so whoever needs it detached waits for this to turn false.
     */
    public static boolean exists(long linkId) {
        int fd = LibBpf.linkGetFdById((int) linkId);
        if (fd >= 0) {
            Libc.close(fd);
            return true;
        }
        return false;
    }

    /** Waits (up to the timeout) until the link with this id is gone; false if it is still there. */
    public static boolean awaitGone(long linkId, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exists(linkId)) {
            if (System.nanoTime() > deadline) return false;
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** Makes the link run another (compatible, loaded) program, atomically. */
    public void replaceProgram(BpfProgram program) {
        int rc = LibBpf.linkUpdate(fd(), program.fd());
        if (rc != 0) {
            throw new BpfException("cannot replace the program of the pinned link " + path + " with '" + program.name() + "'", rc);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "PinnedLink[" + path + "]";
    }
}
