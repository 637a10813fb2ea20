package dev.vigil.ebpf.pin;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.Libc;
import dev.vigil.ebpf.map.MapAccess;
import dev.vigil.ebpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A map opened from its pin (a restarted process adopting what an earlier one left): the same element
 * operations as an object's map. Closing closes this process's fd only; the pin stays.
 */
public final class PinnedMap extends MapAccess implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final String name;
    private final int id;
    private volatile boolean closed;

    private PinnedMap(Path path, int fd) {
        this.path = path;
        this.fd = fd;
        try (Arena a = Arena.ofConfined()) {
            // struct bpf_map_info: type, id, key_size, value_size, max_entries, map_flags, name[16], ...
            MemorySegment info = a.allocate(128, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 128);
            int rc = LibBpf.objGetInfoByFd(fd, info, len);
            if (rc != 0) {
                throw new BpfException("cannot read the map info of " + path, rc);
            }
            this.type = MapType.of(info.get(ValueLayout.JAVA_INT, 0));
            this.id = info.get(ValueLayout.JAVA_INT, 4);
            this.keySize = info.get(ValueLayout.JAVA_INT, 8);
            this.valueSize = info.get(ValueLayout.JAVA_INT, 12);
            this.maxEntries = info.get(ValueLayout.JAVA_INT, 16);
            byte[] n = info.asSlice(24, 16).toArray(ValueLayout.JAVA_BYTE);
            int end = 0;
            while (end < n.length && n[end] != 0) end++;
            this.name = new String(n, 0, end, StandardCharsets.UTF_8);
        }
    }

    /** Opens the map pinned at path; fails when there is none or it is not a map. */
    public static PinnedMap open(Path path) {
        int fd = Pins.open(path, Pins.Kind.MAP);
        try {
            return new PinnedMap(path, fd);
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    public Path path() { return path; }

    /** The kernel's map id (what bpftool lists). */
    public int id() { return id; }

    @Override public String name() { return name; }
    @Override public MapType type() { return type; }
    @Override public int keySize() { return keySize; }
    @Override public int valueSize() { return valueSize; }
    @Override public int maxEntries() { return maxEntries; }

    @Override
    public int fd() {
        if (closed) {
            throw new IllegalStateException("pinned map " + path + " is closed");
        }
        return fd;
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
        return "PinnedMap[" + name + " at " + path + "]";
    }
}
