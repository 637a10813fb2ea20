package dev.vigil.cli;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.tools.execsnoop.ExecSnoop;
import dev.vigil.tools.execsnoop.ExecSnoopOptions;
import dev.vigil.tools.execsnoop.ExecSnoopPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** execsnoop with libbpf-tools' flags. */
@Command(name = "execsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace exec() syscalls, like libbpf-tools' execsnoop.", "",
            "Examples:",
            "  vigil execsnoop            # trace all exec() syscalls",
            "  vigil execsnoop -x         # include failed exec()s",
            "  vigil execsnoop -T         # include time (HH:MM:SS)",
            "  vigil execsnoop -U         # include UID",
            "  vigil execsnoop -u 1000    # only trace UID 1000",
            "  vigil execsnoop -t         # include timestamps",
            "  vigil execsnoop -q         # add \"quotemarks\" around arguments",
            "  vigil execsnoop -n main    # only print commands whose name contains \"main\"",
            "  vigil execsnoop -l tpkg    # only print commands whose arguments contain \"tpkg\"",
            "  vigil execsnoop -c CG      # only trace processes in cgroup v2 directory CG",
            "  vigil execsnoop --container web  # only trace processes of container web",
            "  vigil execsnoop --json     # one JSON object a line"})
final class ExecSnoopCommand implements ToolCommand {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since start).")
    boolean timestamp;

    @Option(names = {"-x", "--fails"}, description = "Include failed exec()s.")
    boolean fails;

    @Mixin
    ToolOptions.Uid uid;

    @Option(names = {"-q", "--quote"}, description = "Add quotemarks (\") around arguments.")
    boolean quote;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only print commands whose name (comm) contains NAME.")
    String name;

    @Option(names = {"-l", "--line"}, paramLabel = "LINE", description = "Only print commands whose arguments contain LINE.")
    String line;

    @Option(names = {"-U", "--print-uid"}, description = "Print a UID column.")
    boolean printUid;

    @Option(names = "--max-args", paramLabel = "MAX_ARGS", defaultValue = "20",
            description = "Maximum number of arguments parsed and displayed (1-60, default ${DEFAULT-VALUE}).")
    int maxArgs;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        ExecSnoopOptions options = new ExecSnoopOptions(fails, uid.uid, name, line, maxArgs, tool.cgroupFilter());
        ToolSession session = ToolSession.begin(tool);
        long startBootNs = KernelClock.bootTimeNanos(); // -t counts from here, as libbpf-tools does
        ExecSnoop snoop = ExecSnoop.start(options);
        var printer = new ExecSnoopPrinter(session.out, new ExecSnoopPrinter.Format(time, timestamp, printUid, quote, tool.json),
                startBootNs);
        return session.run(snoop.tool(), t -> {
            printer.printHeader();
            printer.flush();
            snoop.run(printer, session::afterBatch);
        });
    }
}
