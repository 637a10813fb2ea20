package dev.vigil.tools.profile;

import dev.vigil.ebpf.perf.PerfEvent;
import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.stacks.StackCounts;
import dev.vigil.tools.stacks.StackKey;
import dev.vigil.tools.stacks.StackSample;
import java.util.List;

/**
 * profile: samples every CPU with the software cpu-clock perf event at {@code frequency} Hz and counts
 * the interrupted task's user and kernel stacks in the kernel (bpf/profile.bpf.c); {@link #samples}
 * reads and symbolizes them. Works without a hardware PMU (VMs).
 */
public final class Profile implements AutoCloseable {
    /** libbpf-tools' and BCC's default rate: off the common 50/100 Hz timers, so they do not beat. */
    public static final int DEFAULT_FREQUENCY = 49;

    /**
     * @param userOnly -U: user stacks only
     * @param kernelOnly -K: kernel stacks only
     * @param includeIdle -I: count the idle task (pid 0) too
     */
    public record Options(ToolFilters filters, int frequency, boolean userOnly, boolean kernelOnly, boolean includeIdle) {
        public Options {
            if (frequency <= 0 || frequency > 100_000) {
                throw new IllegalArgumentException("-F FREQUENCY must be 1 to 100000 Hz, got " + frequency);
            }
            if (userOnly && kernelOnly) {
                throw new IllegalArgumentException("-U and -K are mutually exclusive");
            }
        }
    }

    private final Options options;
    private final BpfTool tool;
    private final StackCounts counts;

    private Profile(Options options, BpfTool tool) {
        this.options = options;
        this.tool = tool;
        this.counts = new StackCounts(tool);
    }

    public static Profile start(Options options) {
        BpfTool tool = BpfTool.builder("profile", "/bpf/profile.bpf.o")
                .layout(StackKey.LAYOUT)
                .filters(options.filters())
                .constant("user_stacks_only", options.userOnly() ? 1 : 0)
                .constant("kernel_stacks_only", options.kernelOnly() ? 1 : 0)
                .constant("include_idle", options.includeIdle() ? 1 : 0)
                .attach("do_perf_event", new Hook.PerfEventEachCpu(PerfEvent.cpuClock(options.frequency())))
                .start();
        return new Profile(options, tool);
    }

    public Options options() {
        return options;
    }

    public BpfTool tool() {
        return tool;
    }

    /** Samples counted so far. */
    public long sampleCount() {
        return counts.total();
    }

    /** Every counted stack, symbolized, least sampled first. */
    public List<StackSample> samples(Symbolizer symbolizer) {
        return counts.read(symbolizer);
    }

    /** Samples lost because the counts map was full. */
    public long missed() {
        return counts.missed();
    }

    @Override
    public void close() {
        tool.close();
    }
}
