package dev.vigil.ebpf.map;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.Errno;
import dev.vigil.ebpf.internal.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The element operations of a kernel map, by file descriptor: a map of a loaded object ({@link BpfMap}) and a
 * map opened from its pin in bpffs share them. Keys and values are raw bytes in native byte order.
 */
public abstract class MapAccess {
    /** bpf_map_update_elem flags. */
    public enum UpdateFlag {
        ANY(0), NO_EXIST(1), EXIST(2);
        final long value;
        UpdateFlag(long value) { this.value = value; }
    }

    static final int NUM_CPUS = Math.max(1, safeCpus());

    private static int safeCpus() {
        try {
            return LibBpf.numPossibleCpus();
        } catch (RuntimeException | LinkageError e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    public static int possibleCpus() {
        return NUM_CPUS;
    }

    public abstract String name();

    public abstract MapType type();

    public abstract int keySize();

    public abstract int valueSize();

    public abstract int maxEntries();

    public abstract int fd();

    /** Bytes a lookup returns: the value size, or per-CPU the rounded value size times the CPU count. */
    public int lookupSize() {
        int v = valueSize();
        return type().isPerCpu() ? ((v + 7) & ~7) * NUM_CPUS : v;
    }

    // --- segment API (no copies beyond the syscall) ---

    /** Looks up into {@code value} (at least {@link #lookupSize()} bytes); false when the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        int rc = LibBpf.mapLookupElem(fd(), key, value);
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc != 0) {
            throw new BpfException("map '" + name() + "': lookup failed", rc);
        }
        return true;
    }

    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        int rc = LibBpf.mapUpdateElem(fd(), key, value, flag.value);
        if (rc != 0) {
            throw new BpfException("map '" + name() + "': update failed", rc);
        }
    }

    // --- byte[] API ---

    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(lookupSize(), 8);
            if (!lookup(a.allocateFrom(ValueLayout.JAVA_BYTE, key), v)) {
                return Optional.empty();
            }
            return Optional.of(v.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    public void update(byte[] key, byte[] value) {
        update(key, value, UpdateFlag.ANY);
    }

    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkKey(key);
        if (value.length != lookupSize()) {
            throw new BpfException("map '" + name() + "': value must be " + lookupSize() + " bytes, got " + value.length);
        }
        try (Arena a = Arena.ofConfined()) {
            update(a.allocateFrom(ValueLayout.JAVA_BYTE, key), a.allocateFrom(ValueLayout.JAVA_BYTE, value), flag);
        }
    }

    /** Deletes the key; false when it was absent. */
    public boolean delete(byte[] key) {
        checkKey(key);
        try (Arena a = Arena.ofConfined()) {
            int rc = LibBpf.mapDeleteElem(fd(), a.allocateFrom(ValueLayout.JAVA_BYTE, key));
            if (rc == -Errno.ENOENT) {
                return false;
            }
            if (rc != 0) {
                throw new BpfException("map '" + name() + "': delete failed", rc);
            }
            return true;
        }
    }

    /** All keys, in the kernel's iteration order (a snapshot: concurrent changes may skip or repeat keys). */
    public List<byte[]> keys() {
        int fd = fd();
        int ks = keySize();
        List<byte[]> keys = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cur = a.allocate(ks, 8);
            MemorySegment next = a.allocate(ks, 8);
            MemorySegment prev = MemorySegment.NULL;
            while (true) {
                int rc = LibBpf.mapGetNextKey(fd, prev, next);
                if (rc == -Errno.ENOENT) {
                    return keys;
                }
                if (rc != 0) {
                    throw new BpfException("map '" + name() + "': iteration failed", rc);
                }
                keys.add(next.toArray(ValueLayout.JAVA_BYTE));
                MemorySegment.copy(next, 0, cur, 0, ks);
                prev = cur;
            }
        }
    }

    /** Per-CPU maps: the value for each possible CPU, each {@link #valueSize()} bytes. */
    public Optional<byte[][]> lookupPerCpu(byte[] key) {
        if (!type().isPerCpu()) {
            throw new BpfException("map '" + name() + "' (" + type() + ") is not a per-CPU map");
        }
        int v = valueSize();
        int stride = (v + 7) & ~7;
        return lookup(key).map(all -> {
            byte[][] perCpu = new byte[NUM_CPUS][];
            for (int cpu = 0; cpu < NUM_CPUS; cpu++) {
                perCpu[cpu] = java.util.Arrays.copyOfRange(all, cpu * stride, cpu * stride + v);
            }
            return perCpu;
        });
    }

    // --- integer helpers (native byte order) ---

    public static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    public static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    public static long readU64(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(offset);
    }

    public static int readU32(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    /** Per-CPU u64 counters at an int key: one value per CPU (absent key: all zero). */
    public long[] perCpuLongs(int key) {
        long[] out = new long[NUM_CPUS];
        lookupPerCpu(u32(key)).ifPresent(values -> {
            for (int cpu = 0; cpu < NUM_CPUS; cpu++) {
                out[cpu] = readU64(values[cpu], 0);
            }
        });
        return out;
    }

    /** Sum over CPUs of a per-CPU u64 counter at an int key. */
    public long sumPerCpuLong(int key) {
        long sum = 0;
        for (long v : perCpuLongs(key)) {
            sum += v;
        }
        return sum;
    }

    private void checkKey(byte[] key) {
        int ks = keySize();
        if (key.length != ks) {
            throw new BpfException("map '" + name() + "': key must be " + ks + " bytes, got " + key.length);
        }
    }

}
