package dev.vigil.ebpf.map;

import dev.vigil.ebpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A BPF_MAP_TYPE_STACK_TRACE map read from user space: a stack id (what bpf_get_stackid returned) to
 * its instruction pointers, innermost first. The kernel zero-fills frames past the stack's depth.
 */
public final class StackTraceMap {
    private static final long[] NONE = new long[0];

    private final BpfMap map;
    private final int depth;

    public StackTraceMap(BpfMap map) {
        if (map.type() != MapType.STACK_TRACE) {
            throw new BpfException("map '" + map.name() + "' (" + map.type() + ") is not a stack trace map");
        }
        if (map.keySize() != 4 || map.valueSize() % 8 != 0) {
            throw new BpfException("stack trace map '" + map.name() + "' must have a u32 key and u64 frames");
        }
        this.map = map;
        this.depth = map.valueSize() / 8;
    }

    /** Frames a stack can hold (the map's value size / 8; the kernel caps it at 127). */
    public int depth() {
        return depth;
    }

    /**
     * The stack's addresses, innermost frame first; empty for a negative id (bpf_get_stackid's error:
     * -EFAULT for no user stack in a kernel thread, -EEXIST or -ENOMEM when the map was full) or an id
     * that was since reused and deleted.
     */
    public long[] addresses(int stackId) {
        if (stackId < 0) {
            return NONE;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, stackId);
            MemorySegment value = a.allocate((long) depth * 8, 8);
            if (!map.lookup(key, value)) {
                return NONE;
            }
            int n = 0;
            while (n < depth && value.getAtIndex(ValueLayout.JAVA_LONG, n) != 0) {
                n++;
            }
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = value.getAtIndex(ValueLayout.JAVA_LONG, i);
            }
            return out;
        }
    }
}
