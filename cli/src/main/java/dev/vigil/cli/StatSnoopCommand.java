package dev.vigil.cli;

import dev.vigil.tools.statsnoop.StatSnoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** statsnoop with libbpf-tools' flags. */
@Command(name = "statsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace stat syscalls (statfs, stat, lstat, fstatat, statx), like libbpf-tools' statsnoop.", "",
            "Examples:",
            "  vigil statsnoop             # trace all stat syscalls",
            "  vigil statsnoop -t          # include timestamps",
            "  vigil statsnoop -x          # only show failed stats",
            "  vigil statsnoop -s          # show the syscall",
            "  vigil statsnoop -p 1216     # only trace PID 1216"})
final class StatSnoopCommand implements ToolCommand {
    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output (seconds since start).")
    boolean timestamp;

    @Option(names = {"-x", "--failed"}, description = "Only show failed stats.")
    boolean failed;

    @Option(names = {"-s", "--syscall"}, description = "Show the syscall (statfs, newstat, newlstat, newfstatat, statx).")
    boolean printSyscall;

    @Mixin ToolOptions.Pid pid;
    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        var options = new StatSnoop.Options(tool.filters(pid.pid, null, null), failed, timestamp, printSyscall);
        ToolSession session = ToolSession.begin(tool);
        var printer = new StatSnoop.Printer(session.output(tool.json), options);
        return session.stream(StatSnoop.start(options), printer::header, (d, o, l) -> printer.print(StatSnoop.Event.decode(d, o)));
    }
}
