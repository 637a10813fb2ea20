package dev.vigil.ebpf;

import dev.vigil.ebpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel clocks BPF programs stamp events with, read from user space so the two can be compared:
 * bpf_ktime_get_ns() is CLOCK_MONOTONIC, bpf_ktime_get_boot_ns() is CLOCK_BOOTTIME.
 */
public final class KernelClock {
    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int CLOCK_BOOTTIME = 7;
    private static final MethodHandle CLOCK_GETTIME = Native.downcall(Native.LINKER.defaultLookup(), "clock_gettime",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private KernelClock() {}

    public static long monotonicNanos() {
        return read(CLOCK_MONOTONIC);
    }

    public static long bootTimeNanos() {
        return read(CLOCK_BOOTTIME);
    }

    public static long realtimeNanos() {
        return read(CLOCK_REALTIME);
    }

    /**
     * Each thread's struct timespec, kept: the reader reads the clocks per fork record, and an arena per read
     * (a malloc, a free and a session) cost more than the vDSO call itself.
     */
    private static final ThreadLocal<MemorySegment> TIMESPEC = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    private static long read(int clock) {
        MemorySegment ts = TIMESPEC.get();
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(clock, ts);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) {
            throw new IllegalStateException("clock_gettime(" + clock + ") failed");
        }
        return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
    }
}
