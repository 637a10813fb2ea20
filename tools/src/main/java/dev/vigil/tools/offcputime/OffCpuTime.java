package dev.vigil.tools.offcputime;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.stacks.StackCounts;
import dev.vigil.tools.stacks.StackKey;
import dev.vigil.tools.stacks.StackSample;
import java.util.List;

/**
 * offcputime: the time threads spend blocked (off CPU), in microseconds, by the user and kernel stacks
 * they blocked in (bpf/offcputime.bpf.c on sched_switch: tp_btf, or raw_tp where BTF tracepoints are
 * missing, as libbpf-tools chooses).
 */
public final class OffCpuTime implements AutoCloseable {
    /** TASK_RUNNING .. TASK_UNINTERRUPTIBLE etc.: --state takes the kernel's numbers, as libbpf-tools does. */
    public static final long ANY_STATE = -1;

    /**
     * @param userThreadsOnly -u
     * @param kernelThreadsOnly -k
     * @param userStacksOnly -U
     * @param kernelStacksOnly -K
     * @param minBlockUs -m: shortest off-CPU time counted
     * @param maxBlockUs -M: longest off-CPU time counted
     * @param state --state: only tasks that left the CPU in this state (0 running/preempted, 1 interruptible, 2 uninterruptible)
     */
    public record Options(ToolFilters filters, boolean userThreadsOnly, boolean kernelThreadsOnly, boolean userStacksOnly,
            boolean kernelStacksOnly, long minBlockUs, long maxBlockUs, long state) {
        public Options {
            if (userThreadsOnly && kernelThreadsOnly) {
                throw new IllegalArgumentException("-u and -k are mutually exclusive");
            }
            if (userStacksOnly && kernelStacksOnly) {
                throw new IllegalArgumentException("-U and -K are mutually exclusive");
            }
            if (minBlockUs < 0 || maxBlockUs < 0) {
                throw new IllegalArgumentException("-m and -M must be non-negative microseconds");
            }
            if (minBlockUs > maxBlockUs) {
                throw new IllegalArgumentException("-m MIN_BLOCK_TIME (" + minBlockUs + ") is above -M MAX_BLOCK_TIME (" + maxBlockUs + ")");
            }
            if (state != ANY_STATE && (state < 0 || state > 0x7ff)) {
                throw new IllegalArgumentException("--state must be a task state number (0, 1, 2, ...), got " + state);
            }
        }

        public static Options defaults(ToolFilters filters) {
            return new Options(filters, false, false, false, false, 1, Long.MAX_VALUE / 1000, ANY_STATE);
        }
    }

    private final BpfTool tool;
    private final StackCounts counts;

    private OffCpuTime(BpfTool tool) {
        this.tool = tool;
        this.counts = new StackCounts(tool);
    }

    public static OffCpuTime start(Options o) {
        BpfTool tool = BpfTool.builder("offcputime", "/bpf/offcputime.bpf.o")
                .layout(StackKey.LAYOUT)
                .filters(o.filters())
                .constant("kernel_threads_only", o.kernelThreadsOnly() ? 1 : 0)
                .constant("user_threads_only", o.userThreadsOnly() ? 1 : 0)
                .constant("kernel_stacks_only", o.kernelStacksOnly() ? 1 : 0)
                .constant("user_stacks_only", o.userStacksOnly() ? 1 : 0)
                .constant("min_block_ns", o.minBlockUs() * 1000)
                .constant("max_block_ns", o.maxBlockUs() * 1000)
                .constant("state", o.state())
                .attachOneOf(BpfTool.Variant.of("tp_btf", "sched_switch_btf", Hook.btfTracepoint("sched_switch")),
                        BpfTool.Variant.of("raw_tp", "sched_switch_raw", Hook.rawTracepoint("sched_switch")))
                .start();
        return new OffCpuTime(tool);
    }

    public BpfTool tool() {
        return tool;
    }

    /** Microseconds counted so far, over every stack. */
    public long totalMicros() {
        return counts.total();
    }

    /** Every stack with its off-CPU microseconds, symbolized, least first. */
    public List<StackSample> stacks(Symbolizer symbolizer) {
        return counts.read(symbolizer);
    }

    public long missed() {
        return counts.missed();
    }

    @Override
    public void close() {
        tool.close();
    }
}
