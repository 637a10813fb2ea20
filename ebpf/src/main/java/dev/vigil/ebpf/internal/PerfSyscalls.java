package dev.vigil.ebpf.internal;

import static dev.vigil.ebpf.internal.Native.C_INT;
import static dev.vigil.ebpf.internal.Native.C_LONG;
import static dev.vigil.ebpf.internal.Native.C_POINTER;
import static dev.vigil.ebpf.internal.Native.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * perf_event_open(2), which libc does not wrap (called through syscall(2)), and libbpf's
 * bpf_program__attach_perf_event. The link libbpf returns owns the perf fd: destroying it closes it.
 */
public final class PerfSyscalls {
    /** __NR_perf_event_open: 298 on x86_64, 241 on arm64 (the generic table). */
    private static final long NR_PERF_EVENT_OPEN = "aarch64".equals(System.getProperty("os.arch")) ? 241 : 298;
    public static final long PERF_FLAG_FD_CLOEXEC = 8;

    private static final MethodHandle SYSCALL = Native.LINKER.downcallHandle(
            Native.LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(C_LONG, C_LONG, C_POINTER, C_INT, C_INT, C_INT, C_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private static final class Bpf {
        static {
            LibBpf.ensureAvailable();
        }
        static final MethodHandle ATTACH_PERF_EVENT = Native.downcallErrno(
                SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()), "bpf_program__attach_perf_event",
                FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT));
    }

    private PerfSyscalls() {}

    /** Returns the new fd, or -1 with errno in the capture state. */
    public static int perfEventOpen(MemorySegment errno, MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        try {
            return (int) (long) SYSCALL.invokeExact(errno, NR_PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment attachPerfEvent(MemorySegment errno, MemorySegment prog, int perfFd) {
        try {
            return (MemorySegment) Bpf.ATTACH_PERF_EVENT.invokeExact(errno, prog, perfFd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
