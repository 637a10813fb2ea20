package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.opensnoop.OpenSnoop;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** opensnoop with libbpf-tools' flags. */
@Command(name = "opensnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace open family syscalls (open, openat, openat2), like libbpf-tools' opensnoop.", "",
            "Examples:",
            "  vigil opensnoop           # trace all open() syscalls",
            "  vigil opensnoop -T        # include timestamps",
            "  vigil opensnoop -U        # include UID",
            "  vigil opensnoop -x        # only show failed opens",
            "  vigil opensnoop -p 181    # only trace PID 181",
            "  vigil opensnoop -t 123    # only trace TID 123",
            "  vigil opensnoop -u 1000   # only trace UID 1000",
            "  vigil opensnoop -d 10     # trace for 10 seconds only",
            "  vigil opensnoop -n main   # only print process names containing \"main\"",
            "  vigil opensnoop -e        # show extended fields",
            "  vigil opensnoop -F        # show full paths for relative opens",
            "  vigil opensnoop --container web   # only trace container web"})
final class OpenSnoopCommand implements ToolCommand {
    @Option(names = {"-T", "--timestamp"}, description = "Print timestamp (HH:MM:SS).")
    boolean time;

    @Option(names = {"-U", "--print-uid"}, description = "Print UID.")
    boolean printUid;

    @Option(names = {"-x", "--failed"}, description = "Failed opens only.")
    boolean failed;

    @Mixin ToolOptions.Pid pid;
    @Mixin ToolOptions.Tid tid;
    @Mixin ToolOptions.Uid uid;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Duration to trace, in seconds.")
    Integer duration;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Trace process names containing this.")
    String name;

    @Option(names = {"-e", "--extended-fields"}, description = "Print extended fields (FLAGS).")
    boolean extended;

    @Option(names = {"-F", "--full-path"}, description = {"Show the full path of an open with a relative path (as BCC's opensnoop -F):",
            "the directory (cwd, or the dirfd's) is walked up in the kernel at the open, so it is right even if the",
            "process changes directory or exits; \"...\" starts a path whose directory was deeper than 32 steps."})
    boolean fullPath;

    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (duration != null && duration <= 0) {
            throw new IllegalArgumentException("-d DURATION must be a positive number of seconds, got " + duration);
        }
        var options = new OpenSnoop.Options(tool.filters(pid.pid, tid.tid, uid.uid), failed, name, time, printUid, extended, fullPath);
        ToolSession session = ToolSession.begin(tool);
        ToolOutput out = session.output(tool.json);
        var printer = new OpenSnoop.Printer(out, options);
        var snoop = OpenSnoop.start(options);
        if (duration != null) {
            snoop.stopAfter(Duration.ofSeconds(duration));
        }
        return session.stream(snoop, printer::header, (data, offset, length) -> printer.print(data, offset, length));
    }
}
