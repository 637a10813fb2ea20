package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.sched.RunQLat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** runqlat with libbpf-tools' flags. */
@Command(name = "runqlat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize run queue (scheduler) latency as a histogram, like libbpf-tools' runqlat.", "",
            "Examples:",
            "  vigil runqlat         # summarize run queue latency as a histogram",
            "  vigil runqlat 1 10    # print 1 second summaries, 10 times",
            "  vigil runqlat -mT 1   # 1s summaries, milliseconds, and timestamps",
            "  vigil runqlat -P      # show each PID separately",
            "  vigil runqlat -p 185  # trace PID 185 only",
            "  vigil runqlat -c CG   # trace process under cgroup v2 directory CG"})
final class RunQLatCommand implements Callable<Integer> {
    @Option(names = {"-T", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean millis;

    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-P", "--pids"}, description = "Print a histogram per process ID.")
    boolean perProcess;

    @Option(names = {"-L", "--tids"}, description = "Print a histogram per thread ID.")
    boolean perThread;

    @Mixin
    ToolOptions.Interval interval;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        interval.validate();
        var options = new RunQLat.Options(tool.filters(pid.pid, null, null), perProcess, perThread, millis);
        ToolSession session = ToolSession.begin(tool);
        var started = RunQLat.start(options);
        ToolOutput out = session.output(tool.json);
        return Intervals.run(session, started, out, tool.json ? null : "Tracing run queue latency... Hit Ctrl-C to end.", interval,
                t -> RunQLat.print(out, RunQLat.drain(t), options, timestamp));
    }
}
