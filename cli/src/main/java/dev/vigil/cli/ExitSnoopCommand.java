package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.exitsnoop.ExitSnoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** exitsnoop with libbpf-tools' flags. */
@Command(name = "exitsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace process termination, like libbpf-tools' exitsnoop.", "",
            "Examples:",
            "  vigil exitsnoop             # trace process exit events",
            "  vigil exitsnoop -t          # include timestamps",
            "  vigil exitsnoop -x          # trace error exits only",
            "  vigil exitsnoop -p 1216     # only trace PID 1216",
            "  vigil exitsnoop -T          # trace by thread",
            "  vigil exitsnoop -c CG       # trace processes under cgroup v2 directory CG"})
final class ExitSnoopCommand implements ToolCommand {
    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean time;

    @Option(names = {"-x", "--failed"}, description = "Trace error exits only.")
    boolean failed;

    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-T", "--threaded"}, description = "Trace by thread.")
    boolean threads;

    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        var options = new ExitSnoop.Options(tool.filters(pid.pid, null, null), failed, threads, time);
        ToolSession session = ToolSession.begin(tool);
        ToolOutput out = session.output(tool.json);
        var printer = new ExitSnoop.Printer(out, options);
        return session.stream(ExitSnoop.start(options), printer::header, (d, o, l) -> printer.print(ExitSnoop.Event.decode(d, o)));
    }
}
