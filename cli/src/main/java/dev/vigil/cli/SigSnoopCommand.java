package dev.vigil.cli;

import dev.vigil.tools.SignalNames;
import dev.vigil.tools.sigsnoop.SigSnoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** sigsnoop with libbpf-tools' flags; {@link KillSnoop} is {@code sigsnoop -k}. */
@Command(name = "sigsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace standard and real-time signals, like libbpf-tools' sigsnoop.",
            "Without -k every generated signal (RESULT: 0 delivered, 1 ignored, 2 already pending, 3 overflow,",
            "4 info lost); with -k the kill/tkill/tgkill syscalls (RESULT 0 or -errno, failures included).", "",
            "Examples:",
            "  vigil sigsnoop             # trace signals system-wide",
            "  vigil sigsnoop -k          # trace signals issued by kill syscalls only",
            "  vigil sigsnoop -x          # trace failed signals only",
            "  vigil sigsnoop -p 1216     # only trace PID 1216 (the sender)",
            "  vigil sigsnoop -s 9        # only trace signal 9"})
class SigSnoopCommand implements ToolCommand {
    @Option(names = {"-x", "--failed"}, description = "Trace failed signals only.")
    boolean failed;

    @Option(names = {"-k", "--kill"}, description = "Trace signals issued by kill syscalls only.")
    boolean killOnly;

    @Option(names = {"-n", "--name"}, description = "Output signal name instead of signal number.")
    boolean names;

    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Signal to trace (a number, or a name such as KILL).")
    String signal;

    @Mixin ToolOptions tool;

    boolean killOnly() {
        return killOnly;
    }

    @Override
    public Integer call() throws Exception {
        int sig = 0;
        if (signal != null && (sig = SignalNames.parse(signal)) <= 0) {
            throw new IllegalArgumentException("-s " + signal + ": not a signal number or name");
        }
        var options = new SigSnoop.Options(tool.filters(pid.pid, null, null), killOnly(), failed, sig, names);
        ToolSession session = ToolSession.begin(tool);
        var printer = new SigSnoop.Printer(session.output(tool.json), options);
        return session.stream(SigSnoop.start(options), printer::header, (d, o, l) -> printer.print(SigSnoop.Event.decode(d, o)));
    }

    /** killsnoop: sigsnoop -k. */
    @Command(name = "killsnoop", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Trace signals issued by the kill syscalls (kill, tkill, tgkill), failures included: sigsnoop -k.", "",
                "Examples:",
                "  vigil killsnoop            # trace all kill() signals",
                "  vigil killsnoop -x         # only show failed kills",
                "  vigil killsnoop -p 181     # only trace PID 181 (the sender)"})
    static final class KillSnoop extends SigSnoopCommand {
        @Override
        boolean killOnly() {
            return true;
        }
    }
}
