package dev.vigil.cli;

import dev.vigil.tools.mountsnoop.MountSnoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** mountsnoop with libbpf-tools' flags. */
@Command(name = "mountsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace mount and umount syscalls (and fsopen, fsmount, move_mount), like libbpf-tools' mountsnoop.", "",
            "Examples:",
            "  vigil mountsnoop         # trace mount and umount syscalls",
            "  vigil mountsnoop -d      # detailed output (one line per column value)",
            "  vigil mountsnoop -p 1216 # only trace PID 1216"})
final class MountSnoopCommand implements ToolCommand {
    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean time;

    @Option(names = {"-d", "--detailed"}, description = "Output result in detail mode.")
    boolean detailed;

    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        var options = new MountSnoop.Options(tool.filters(pid.pid, null, null), time, detailed);
        ToolSession session = ToolSession.begin(tool);
        var printer = new MountSnoop.Printer(session.output(tool.json), options);
        return session.stream(MountSnoop.start(options), printer::header, (d, o, l) -> printer.print(MountSnoop.Event.decode(d, o)));
    }
}
