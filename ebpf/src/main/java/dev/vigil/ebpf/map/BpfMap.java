package dev.vigil.ebpf.map;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.Libc;
import dev.vigil.ebpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A map of a loaded object. Keys and values are raw bytes in the kernel's (native) byte order;
 * helpers cover the common integer cases. Per-CPU maps return one value per possible CPU. The element
 * operations are {@link MapAccess}'s, shared with maps opened from a pin ({@code pin.PinnedMap}).
 */
public final class BpfMap extends MapAccess {
    private final Runnable ensureOpen;
    private final BooleanSupplier loaded;
    private final MemorySegment handle;
    private final String name;

    /** Created by {@code BpfObject}; not for direct use. */
    public BpfMap(Runnable ensureOpen, BooleanSupplier loaded, MemorySegment handle) {
        this.ensureOpen = ensureOpen;
        this.loaded = loaded;
        this.handle = handle;
        this.name = LibBpf.mapName(handle);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MapType type() {
        ensureOpen.run();
        return MapType.of(LibBpf.mapType(handle));
    }

    @Override
    public int keySize() {
        ensureOpen.run();
        return LibBpf.mapKeySize(handle);
    }

    @Override
    public int valueSize() {
        ensureOpen.run();
        return LibBpf.mapValueSize(handle);
    }

    @Override
    public int maxEntries() {
        ensureOpen.run();
        return LibBpf.mapMaxEntries(handle);
    }

    /** Resizes before load (ring buffers: a power of two multiple of the page size). */
    public BpfMap setMaxEntries(int maxEntries) {
        ensureOpen.run();
        if (loaded.getAsBoolean()) {
            throw new BpfException("map '" + name + "': max_entries can only change before load");
        }
        int rc = LibBpf.mapSetMaxEntries(handle, maxEntries);
        if (rc != 0) {
            throw new BpfException("map '" + name + "': cannot set max_entries to " + maxEntries, rc);
        }
        return this;
    }

    public boolean isInternal() {
        return LibBpf.mapIsInternal(handle);
    }

    /** The handle for the library's own use (e.g. .rodata initial values). */
    public MemorySegment handle() {
        return handle;
    }

    @Override
    public int fd() {
        ensureOpen.run();
        if (!loaded.getAsBoolean()) {
            throw new BpfException("map '" + name + "' is not loaded yet (load its object first)");
        }
        int fd = LibBpf.mapFd(handle);
        if (fd < 0) {
            throw new BpfException("map '" + name + "' has no file descriptor", fd);
        }
        return fd;
    }

    /** Pins the map at {@code path} (a file in bpffs) so it outlives this process; see {@code pin.Pins}. */
    public void pin(Path path) {
        dev.vigil.ebpf.pin.Pins.pin(fd(), path, "map '" + name + "'");
    }

    /** Cgroup arrays: stores the cgroup v2 directory at the index (the kernel keeps its own reference). */
    public void setCgroup(int index, Path cgroupDir) {
        if (type() != MapType.CGROUP_ARRAY) {
            throw new BpfException("map '" + name + "' (" + type() + ") is not a cgroup array");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoState(a);
            int dirFd = Libc.open(errno, a.allocateFrom(cgroupDir.toString()), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (dirFd < 0) {
                throw new BpfException("cannot open cgroup directory " + cgroupDir, Native.errno(errno));
            }
            try {
                MemorySegment key = a.allocate(ValueLayout.JAVA_INT);
                key.set(ValueLayout.JAVA_INT, 0, index);
                MemorySegment value = a.allocate(ValueLayout.JAVA_INT);
                value.set(ValueLayout.JAVA_INT, 0, dirFd);
                update(key, value, UpdateFlag.ANY);
            } finally {
                Libc.close(dirFd);
            }
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + "]";
    }
}
