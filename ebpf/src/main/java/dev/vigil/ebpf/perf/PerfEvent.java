package dev.vigil.ebpf.perf;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.Errno;
import dev.vigil.ebpf.internal.Native;
import dev.vigil.ebpf.internal.PerfSyscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What a perf event counts and how often it samples: the part of {@code struct perf_event_attr} a
 * BPF_PROG_TYPE_PERF_EVENT program needs. Software events work on every kernel (and in VMs without a
 * PMU, where {@code cycles} does not exist); the sampling rate is a frequency in Hz or a fixed period.
 */
public record PerfEvent(int type, long config, long sample, boolean frequency, String description) {
    public static final int TYPE_HARDWARE = 0;
    public static final int TYPE_SOFTWARE = 1;
    public static final long SW_CPU_CLOCK = 0;
    public static final long HW_CPU_CYCLES = 0;

    /** sizeof(struct perf_event_attr) as of PERF_ATTR_SIZE_VER5 (Linux 4.1): every kernel with BPF perf programs knows it. */
    static final int ATTR_SIZE = 112;
    private static final long FLAG_FREQ = 1L << 10;

    public PerfEvent {
        if (sample <= 0) {
            throw new IllegalArgumentException("perf event " + description + ": the sample "
                    + (frequency ? "frequency" : "period") + " must be positive, got " + sample);
        }
    }

    /** The software cpu-clock timer sampled at {@code hz} per CPU (what profile and runqlen use). */
    public static PerfEvent cpuClock(int hz) {
        return new PerfEvent(TYPE_SOFTWARE, SW_CPU_CLOCK, hz, true, "software cpu-clock at " + hz + " Hz");
    }

    /** Hardware CPU cycles, one sample every {@code period} cycles (needs a PMU: absent in most VMs). */
    public static PerfEvent cycles(long period) {
        return new PerfEvent(TYPE_HARDWARE, HW_CPU_CYCLES, period, false, "hardware cycles every " + period);
    }

    /**
     * Opens the event for one pid (-1: all) on one CPU (-1: any) and returns its fd (close-on-exec).
     * The caller owns the fd; {@code BpfProgram.attachPerfEvent} hands it to the link, which closes it.
     */
    public int open(int pid, int cpu) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoState(a);
            int fd = PerfSyscalls.perfEventOpen(errno, attr(a), pid, cpu, -1, PerfSyscalls.PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) {
                int err = Native.errno(errno);
                String where = "perf event " + description + (cpu >= 0 ? " on CPU " + cpu : "") + (pid >= 0 ? " for pid " + pid : "");
                if (err == Errno.ENOENT || err == Errno.EOPNOTSUPP) {
                    throw new BpfException(where + ": this kernel has no such event"
                            + (type == TYPE_HARDWARE ? " (no hardware PMU here; the software cpu-clock works everywhere)" : ""), err);
                }
                throw new BpfException("cannot open " + where, err);
            }
            return fd;
        }
    }

    /** The attr struct, zeroed except for what this event sets. */
    MemorySegment attr(Arena arena) {
        MemorySegment a = arena.allocate(ATTR_SIZE, 8);
        a.set(ValueLayout.JAVA_INT, 0, type);
        a.set(ValueLayout.JAVA_INT, 4, ATTR_SIZE);
        a.set(ValueLayout.JAVA_LONG, 8, config);
        a.set(ValueLayout.JAVA_LONG, 16, sample); // sample_period / sample_freq (a union)
        a.set(ValueLayout.JAVA_LONG, 40, frequency ? FLAG_FREQ : 0L);
        return a;
    }
}
