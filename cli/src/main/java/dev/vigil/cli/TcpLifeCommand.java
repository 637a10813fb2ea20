package dev.vigil.cli;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.net.Addresses;
import dev.vigil.tools.net.Ports;
import dev.vigil.tools.net.TcpLife;
import dev.vigil.tools.net.TcpLifeEvent;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** tcplife with libbpf-tools' flags. */
@Command(name = "tcplife", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace the lifespan of TCP sessions and summarize, like libbpf-tools' tcplife.", "",
            "Examples:",
            "  vigil tcplife -p 1215        # only trace PID 1215",
            "  vigil tcplife -p 1215 -4     # trace IPv4 only",
            "  vigil tcplife -p 1215 -6     # trace IPv6 only",
            "  vigil tcplife -L 80          # only trace local port 80",
            "  vigil tcplife -D 80          # only trace remote port 80",
            "  vigil tcplife -T             # include time column (HH:MM:SS)",
            "  vigil tcplife -w             # wide column output (fits IPv6 addresses)"})
final class TcpLifeCommand implements Callable<Integer> {
    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-4", "--ipv4"}, description = "Trace IPv4 family only.")
    boolean ipv4;

    @Option(names = {"-6", "--ipv6"}, description = "Trace IPv6 family only.")
    boolean ipv6;

    @Option(names = {"-L", "--localport"}, paramLabel = "LOCALPORT", description = "Comma-separated list of local ports to trace.")
    String localPorts;

    @Option(names = {"-D", "--remoteport"}, paramLabel = "REMOTEPORT", description = "Comma-separated list of remote ports to trace.")
    String remotePorts;

    @Option(names = {"-T", "--time"}, description = "Include time column on output (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output (seconds).")
    boolean timestamp;

    @Option(names = {"-w", "--wide"}, description = "Wide column output (fits IPv6 addresses).")
    boolean wide;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (ipv4 && ipv6) {
            throw new IllegalArgumentException("-4 and -6 are mutually exclusive");
        }
        ToolOptions tool = new ToolOptions(); // tcplife has no -c/-u: a connection's end runs outside its owner
        tool.json = json;
        tool.verbose = verbose;
        var options = new TcpLife.Options(tool.filters(pid.pid, null, null), ipv4 ? Addresses.AF_INET : ipv6 ? Addresses.AF_INET6 : 0,
                localPorts == null ? List.of() : Ports.parse("-L", localPorts),
                remotePorts == null ? List.of() : Ports.parse("-D", remotePorts));
        ToolSession session = ToolSession.begin(tool);
        long startBootNs = KernelClock.bootTimeNanos();
        var started = TcpLife.start(options);
        var printer = new TcpLife.Printer(session.output(json), new TcpLife.Format(time, timestamp, wide), startBootNs);
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(TcpLifeEvent.decode(data, offset)));
    }
}
