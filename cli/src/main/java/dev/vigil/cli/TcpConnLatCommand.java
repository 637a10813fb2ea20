package dev.vigil.cli;

import dev.vigil.tools.net.TcpConnLat;
import dev.vigil.tools.net.TcpEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** tcpconnlat with libbpf-tools' flags and its min_ms argument. */
@Command(name = "tcpconnlat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace TCP connects and show connection latency, like libbpf-tools' tcpconnlat.", "",
            "Examples:",
            "  vigil tcpconnlat              # trace all TCP connects with their latency",
            "  vigil tcpconnlat 1            # trace connection latency slower than 1 ms",
            "  vigil tcpconnlat 0.1          # trace connection latency slower than 100 us",
            "  vigil tcpconnlat -t           # include timestamps",
            "  vigil tcpconnlat -p 185       # trace PID 185 only",
            "  vigil tcpconnlat -L           # include LPORT while printing outputs"})
final class TcpConnLatCommand implements ToolCommand {
    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-L", "--lport"}, description = "Include LPORT on output.")
    boolean localPort;

    @Parameters(index = "0", arity = "0..1", paramLabel = "min_ms", description = "Only connects slower than this many milliseconds (fractions allowed).")
    Double minMs;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (minMs != null && !(minMs >= 0 && minMs < 1e9)) {
            throw new IllegalArgumentException("min_ms " + minMs + ": must be a number of milliseconds, 0 or more");
        }
        var options = new TcpConnLat.Options(tool.filters(pid.pid, null, null), minMs == null ? 0 : Math.round(minMs * 1e6));
        ToolSession session = ToolSession.begin(tool);
        var started = TcpConnLat.start(options);
        var printer = new TcpConnLat.Printer(session.output(tool.json), new TcpConnLat.Format(timestamp, localPort));
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(TcpEvent.decode(data, offset)));
    }
}
