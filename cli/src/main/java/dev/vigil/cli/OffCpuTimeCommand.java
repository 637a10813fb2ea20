package dev.vigil.cli;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.offcputime.OffCpuTime;
import dev.vigil.tools.stacks.StackReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** offcputime with libbpf-tools' flags, plus --svg for an off-CPU flame graph. */
@Command(name = "offcputime", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize off-CPU time by stack trace, like libbpf-tools' offcputime.", "",
            "Examples:",
            "  vigil offcputime             # trace off-CPU stack time until Ctrl-C",
            "  vigil offcputime 5           # trace for 5 seconds only",
            "  vigil offcputime -m 1000     # trace only events that last more than 1000 usec",
            "  vigil offcputime -M 10000    # trace only events that last less than 10000 usec",
            "  vigil offcputime -p 185      # only trace threads for PID 185",
            "  vigil offcputime -t 188      # only trace thread 188",
            "  vigil offcputime -u          # only trace user threads (no kernel)",
            "  vigil offcputime -k          # only trace kernel threads (no user)",
            "  vigil offcputime -U          # only show user space stacks (no kernel)",
            "  vigil offcputime -K          # only show kernel space stacks (no user)",
            "  vigil offcputime -f --svg off.svg 10  # folded output and an off-CPU flame graph"})
final class OffCpuTimeCommand implements Callable<Integer> {
    @Mixin
    ToolOptions.Pid pid;

    @Mixin
    ToolOptions.Tid tid;

    @Option(names = {"-u", "--user-threads-only"}, description = "User threads only (no kernel threads).")
    boolean userThreads;

    @Option(names = {"-k", "--kernel-threads-only"}, description = "Kernel threads only (no user threads).")
    boolean kernelThreads;

    @Option(names = {"-m", "--min-block-time"}, paramLabel = "MIN-BLOCK-TIME", defaultValue = "1",
            description = "The amount of time in microseconds over which we store traces (default ${DEFAULT-VALUE}).")
    long minBlock;

    @Option(names = {"-M", "--max-block-time"}, paramLabel = "MAX-BLOCK-TIME",
            description = "The amount of time in microseconds under which we store traces (default unlimited).")
    Long maxBlock;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Filter on this thread state bitmask (eg, 2 == TASK_UNINTERRUPTIBLE); see include/linux/sched.h.")
    Long state;

    @Mixin
    StackRun.Options stacks;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        stacks.validate();
        OffCpuTime.Options options = new OffCpuTime.Options(tool.filters(pid.pid, tid.tid, null), userThreads, kernelThreads,
                stacks.userOnly, stacks.kernelOnly, minBlock, maxBlock != null ? maxBlock : Long.MAX_VALUE / 1000,
                state != null ? state : OffCpuTime.ANY_STATE);
        ToolSession session = ToolSession.begin(tool);
        OffCpuTime offcpu = OffCpuTime.start(options);
        Integer duration = stacks.duration;
        var report = new StackReport(stacks.printer(false), stacks.folded, stacks.svg,
                "Off-CPU time" + (duration != null ? " (" + duration + " s)" : ""), "us");
        String header = stacks.header("Tracing off-CPU time (us)",
                pid.pid != null ? "PID " + pid.pid : tid.tid != null ? "TID " + tid.tid : "all threads", tool.json);
        return StackRun.run(session, offcpu.tool(), session.output(tool.json), header, duration, report,
                () -> offcpu.stacks(new Symbolizer()), offcpu::missed, "off-CPU intervals");
    }
}
