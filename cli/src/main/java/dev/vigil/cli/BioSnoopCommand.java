package dev.vigil.cli;

import dev.vigil.tools.block.BioSnoop;
import dev.vigil.tools.block.Disks;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** biosnoop with libbpf-tools' flags. */
@Command(name = "biosnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace block I/O, like libbpf-tools' biosnoop.", "",
            "Examples:",
            "  vigil biosnoop              # trace all block I/O",
            "  vigil biosnoop -Q           # include OS queued time in I/O time",
            "  vigil biosnoop 10           # trace for 10 seconds only",
            "  vigil biosnoop -d sdc       # trace sdc only",
            "  vigil biosnoop -c CG        # trace I/O issued by processes under cgroup v2 directory CG"})
final class BioSnoopCommand implements ToolCommand {
    @Option(names = {"-d", "--disk"}, paramLabel = "DISK", description = "Trace this disk only.")
    String disk;

    @Option(names = {"-Q", "--queued"}, description = "Include OS queued time in I/O time.")
    boolean queued;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Seconds to trace (default: until Ctrl-C).")
    Integer duration;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (duration != null && duration <= 0) {
            throw new IllegalArgumentException("duration must be a positive number of seconds, got " + duration);
        }
        var options = new BioSnoop.Options(tool.filters(null, null, null), disk != null ? Disks.number(disk) : null, queued);
        ToolSession session = ToolSession.begin(tool);
        var started = BioSnoop.start(options);
        if (duration != null) {
            started.stopAfter(Duration.ofSeconds(duration));
        }
        var printer = new BioSnoop.Printer(session.output(tool.json), queued);
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(BioSnoop.Event.decode(data, offset)));
    }
}
