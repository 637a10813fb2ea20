package dev.vigil.cli;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.ebpf.internal.LibBpfLog;
import dev.vigil.tools.execsnoop.ExecSnoop;
import dev.vigil.tools.execsnoop.ExecSnoopOptions;
import dev.vigil.tools.execsnoop.ExecSnoopPrinter;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
            "  vigil execsnoop --json     # one JSON object a line"})
final class ExecSnoopCommand implements Callable<Integer> {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since start).")
    boolean timestamp;

    @Option(names = {"-x", "--fails"}, description = "Include failed exec()s.")
    boolean fails;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Trace this UID only.")
    Integer uid;

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

    @Option(names = {"-c", "--cgroup"}, paramLabel = "CG", description = "Trace processes in this cgroup v2 directory only.")
    Path cgroup;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() {
        ExecSnoopOptions options = new ExecSnoopOptions(fails, uid, name, line, maxArgs, cgroup);
        LibBpfLog.setVerbose(verbose ? System.err : null);
        long startBootNs = KernelClock.bootTimeNanos(); // -t counts from here, as libbpf-tools does
        try (ExecSnoop snoop = ExecSnoop.start(options)) {
            Signals.onTerminate(snoop::stop);
            var out = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16);
            var printer = new ExecSnoopPrinter(out, new ExecSnoopPrinter.Format(time, timestamp, printUid, quote, json),
                    startBootNs);
            DropReporter drops = new DropReporter("execsnoop", snoop::dropped);
            try {
                printer.printHeader();
                printer.flush();
                snoop.run(printer, () -> {
                    printer.flush();
                    drops.check();
                });
            } catch (UncheckedIOException closedStdout) {
                return 0; // e.g. piped into head: stop quietly, as the C tools do
            }
            drops.summary();
        }
        return 0;
    }
}
