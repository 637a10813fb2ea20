package dev.vigil.cli;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.offcputime.OffCpuTime;
import dev.vigil.tools.stacks.StackPrinter;
import dev.vigil.tools.stacks.StackReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Option(names = {"-U", "--user-stacks-only"}, description = "Show stacks from user space only (no kernel space stacks).")
    boolean userStacks;

    @Option(names = {"-K", "--kernel-stacks-only"}, description = "Show stacks from kernel space only (no user space stacks).")
    boolean kernelStacks;

    @Option(names = {"-m", "--min-block-time"}, paramLabel = "MIN-BLOCK-TIME", defaultValue = "1",
            description = "The amount of time in microseconds over which we store traces (default ${DEFAULT-VALUE}).")
    long minBlock;

    @Option(names = {"-M", "--max-block-time"}, paramLabel = "MAX-BLOCK-TIME",
            description = "The amount of time in microseconds under which we store traces (default unlimited).")
    Long maxBlock;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Filter on this thread state bitmask (eg, 2 == TASK_UNINTERRUPTIBLE); see include/linux/sched.h.")
    Long state;

    @Option(names = {"-d", "--delimited"}, description = "Insert a delimiter between kernel and user stacks.")
    boolean delimited;

    @Option(names = {"-f", "--folded"}, description = "Output folded format, one line per stack (for flame graphs).")
    boolean folded;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write an interactive SVG flame graph (widths in microseconds) to FILE.")
    Path svg;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds (default: until Ctrl-C).")
    Integer duration;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (duration != null && duration <= 0) {
            throw new IllegalArgumentException("duration must be a positive number of seconds, got " + duration);
        }
        StackReport.checkWritable(svg);
        OffCpuTime.Options options = new OffCpuTime.Options(tool.filters(pid.pid, tid.tid, null), userThreads, kernelThreads,
                userStacks, kernelStacks, minBlock, maxBlock != null ? maxBlock : Long.MAX_VALUE / 1000,
                state != null ? state : OffCpuTime.ANY_STATE);
        ToolSession session = ToolSession.begin(tool);
        OffCpuTime offcpu = OffCpuTime.start(options);
        ToolOutput out = session.output(tool.json);
        var report = new StackReport(new StackPrinter(!kernelStacks, !userStacks, delimited, false), folded, svg,
                "Off-CPU time" + (duration != null ? " (" + duration + " s)" : ""), "us");
        return session.run(offcpu.tool(), t -> {
            if (!folded && !tool.json) {
                out.printf("Tracing off-CPU time (us) of %s by %s stack%s... Hit Ctrl-C to end.%n",
                        pid.pid != null ? "PID " + pid.pid : tid.tid != null ? "TID " + tid.tid : "all threads",
                        userStacks ? "user" : kernelStacks ? "kernel" : "user + kernel", duration != null ? " for " + duration + " secs" : "");
                session.flush();
            }
            t.awaitStop(duration != null ? Duration.ofSeconds(duration) : Duration.ofDays(3650));
            report.write(out, offcpu.stacks(new Symbolizer()));
            long missed = offcpu.missed();
            if (missed > 0) {
                System.err.printf("vigil offcputime: %d off-CPU intervals not counted (the counts map was full)%n", missed);
            }
        });
    }
}
