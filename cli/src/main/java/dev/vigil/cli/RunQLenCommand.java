package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.sched.RunQLen;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** runqlen with libbpf-tools' flags. */
@Command(name = "runqlen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize scheduler run queue length as a histogram, like libbpf-tools' runqlen.", "",
            "Examples:",
            "  vigil runqlen         # summarize run queue length as a histogram",
            "  vigil runqlen 1 10    # print 1 second summaries, 10 times",
            "  vigil runqlen -T 1    # 1s summaries and timestamps",
            "  vigil runqlen -O      # report run queue occupancy",
            "  vigil runqlen -C      # show each CPU separately",
            "  vigil runqlen -f 199  # sample at 199HZ"})
final class RunQLenCommand implements ToolCommand {
    @Option(names = {"-C", "--cpus"}, description = "Print output for each CPU separately.")
    boolean perCpu;

    @Option(names = {"-f", "--frequency"}, paramLabel = "FREQUENCY", defaultValue = "99", description = "Sample with a certain frequency (default ${DEFAULT-VALUE} Hz).")
    int frequency;

    @Option(names = {"-O", "--runqocc"}, description = "Report run queue occupancy.")
    boolean occupancy;

    @Option(names = {"-T", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Mixin
    ToolOptions.Interval interval;

    @Option(names = "--json", description = "One JSON object a line (one per histogram).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        interval.validate();
        var options = new RunQLen.Options(perCpu, frequency);
        ToolOptions tool = new ToolOptions(); // samples every CPU: no process filters, as in libbpf-tools
        tool.json = json;
        tool.verbose = verbose;
        ToolSession session = ToolSession.begin(tool);
        var started = RunQLen.start(options);
        ToolOutput out = session.output(json);
        return Intervals.run(session, started, out, json ? null : "Sampling run queue length... Hit Ctrl-C to end.", interval,
                t -> RunQLen.print(out, RunQLen.drain(t, perCpu), occupancy, timestamp));
    }
}
