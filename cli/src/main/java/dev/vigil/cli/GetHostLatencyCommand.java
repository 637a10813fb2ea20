package dev.vigil.cli;

import dev.vigil.tools.uprobe.GetHostLatency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** gethostlatency with libbpf-tools' flags. */
@Command(name = "gethostlatency", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show latency for getaddrinfo/gethostbyname[2] calls, like libbpf-tools' gethostlatency.", "",
            "Examples:",
            "  vigil gethostlatency             # time getaddrinfo/gethostbyname[2] calls",
            "  vigil gethostlatency -p 1216     # only trace PID 1216",
            "  vigil gethostlatency -l /lib/x86_64-linux-gnu/libc.so.6  # probe this libc"})
final class GetHostLatencyCommand implements ToolCommand {
    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-l", "--libc"}, paramLabel = "LIBC", description = "Specify which libc.so to use.")
    String libc;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        var options = new GetHostLatency.Options(tool.filters(pid.pid, null, null), GetHostLatency.libc(libc, pid.pid));
        ToolSession session = ToolSession.begin(tool);
        var started = GetHostLatency.start(options);
        var printer = new GetHostLatency.Printer(session.output(tool.json));
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(GetHostLatency.Event.decode(data, offset)));
    }
}
