package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.block.BioLatency;
import dev.vigil.tools.block.Disks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** biolatency with libbpf-tools' flags. */
@Command(name = "biolatency", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize block device I/O latency as a histogram, like libbpf-tools' biolatency.", "",
            "Examples:",
            "  vigil biolatency              # summarize block I/O latency as a histogram",
            "  vigil biolatency 1 10         # print 1 second summaries, 10 times",
            "  vigil biolatency -mT 1        # 1s summaries, milliseconds, and timestamps",
            "  vigil biolatency -Q           # include OS queued time in I/O time",
            "  vigil biolatency -D           # show each disk device separately",
            "  vigil biolatency -F           # show I/O flags separately",
            "  vigil biolatency -d sdc       # trace sdc only"})
final class BioLatencyCommand implements Callable<Integer> {
    @Option(names = {"-T", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean millis;

    @Option(names = {"-Q", "--queued"}, description = "Include OS queued time in I/O time.")
    boolean queued;

    @Option(names = {"-D", "--disk"}, description = "Print a histogram per disk device.")
    boolean perDisk;

    @Option(names = {"-F", "--flag"}, description = "Print a histogram per set of I/O flags.")
    boolean perFlag;

    @Option(names = {"-d", "--disk-name"}, paramLabel = "DISK", description = "Trace this disk only.")
    String disk;

    @Mixin
    ToolOptions.Interval interval;

    @Option(names = "--json", description = "One JSON object a line (one per histogram).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        interval.validate();
        var options = new BioLatency.Options(disk != null ? Disks.number(disk) : null, perDisk, perFlag, queued, millis);
        ToolOptions tool = new ToolOptions(); // block I/O completes outside its issuer: no -p/-c filters
        tool.json = json;
        tool.verbose = verbose;
        ToolSession session = ToolSession.begin(tool);
        var started = BioLatency.start(options);
        ToolOutput out = session.output(json);
        return Intervals.run(session, started, out, json ? null : "Tracing block device I/O... Hit Ctrl-C to end.", interval,
                t -> BioLatency.print(out, BioLatency.drain(t), options, timestamp));
    }
}
