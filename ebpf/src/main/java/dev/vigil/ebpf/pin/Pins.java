package dev.vigil.ebpf.pin;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.Errno;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.Libc;
import dev.vigil.ebpf.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Pins in bpffs: a map, program or link pinned at a path outlives the process that made it (a pinned link keeps
 * its program attached), until the pin is unlinked and the last fd closes. The checks here turn the kernel's
 * terse errnos into what to do: no bpffs mounted, a pin of the wrong kind, a stale path.
 */
public final class Pins {
    /** statfs f_type of a bpf filesystem. */
    static final long BPF_FS_MAGIC = 0xcafe4a11L;

    /** What a pinned fd holds, from /proc/self/fdinfo. */
    public enum Kind { MAP, PROGRAM, LINK, UNKNOWN }

    private Pins() {}

    /** Whether the path (or its closest existing ancestor) lies on a bpf filesystem. */
    public static boolean onBpffs(Path path) {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256, 8);
            MemorySegment errno = Native.newErrnoState(a);
            if (Libc.statfs(errno, a.allocateFrom(p.toString()), buf) != 0) {
                return false;
            }
            return (buf.get(ValueLayout.JAVA_LONG, 0) & 0xffffffffL) == BPF_FS_MAGIC;
        }
    }

    /** Throws with the mount command when the path is not under bpffs. */
    public static void requireBpffs(Path path) {
        if (!onBpffs(path)) {
            throw new BpfException(path + " is not on a bpf filesystem (mount it: mount -t bpf bpf /sys/fs/bpf)");
        }
    }

    /** Pins fd at path, creating parent folders; an existing pin there is an error (unpin it first). */
    public static void pin(int fd, Path path, String what) {
        requireBpffs(path);
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new BpfException("cannot create pin folder " + path.getParent() + ": " + e.getMessage());
        }
        try (Arena a = Arena.ofConfined()) {
            int rc = LibBpf.objPin(fd, a.allocateFrom(path.toString()));
            if (rc != 0) {
                throw new BpfException("cannot pin " + what + " at " + path
                        + (rc == -Errno.EEXIST ? " (a pin already exists there)" : ""), rc);
            }
        }
    }

    /** A new fd for what is pinned at path; the caller closes it. */
    public static int open(Path path, Kind expected) {
        if (!Files.exists(path)) {
            throw new BpfException("no pin at " + path);
        }
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = LibBpf.objGet(a.allocateFrom(path.toString()));
        }
        if (fd < 0) {
            throw new BpfException("cannot open the pin " + path, fd);
        }
        Kind kind = kindOf(fd);
        if (expected != null && kind != expected) {
            Libc.close(fd);
            throw new BpfException("the pin " + path + " holds a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + ", not a " + expected.name().toLowerCase(java.util.Locale.ROOT));
        }
        return fd;
    }

    /** Unlinks a pin; false when none was there. A pinned link with no other fd detaches now. */
    public static boolean unpin(Path path) {
        try {
            return Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new BpfException("cannot unpin " + path + ": " + e.getMessage());
        }
    }

    /** The kind of BPF object behind an fd of this process. */
    public static Kind kindOf(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("map_type:")) return Kind.MAP;
                if (line.startsWith("prog_type:")) return Kind.PROGRAM;
                if (line.startsWith("link_type:")) return Kind.LINK;
            }
        } catch (IOException e) {
            // fall through
        }
        return Kind.UNKNOWN;
    }

    /** One text value of /proc/self/fdinfo for fd (e.g. link_type), or null. */
    static String fdinfoText(int fd, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip();
            }
        } catch (IOException e) {
            // fall through
        }
        return null;
    }

    /** One value of /proc/self/fdinfo for fd (e.g. prog_id, link_id), or -1. */
    static long fdinfo(int fd, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }
}
