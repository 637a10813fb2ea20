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
