package dev.vigil.cli;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.tools.net.Addresses;
import dev.vigil.tools.net.Ports;
import dev.vigil.tools.net.TcpAccept;
import dev.vigil.tools.net.TcpEvent;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** tcpaccept with BCC's flags (libbpf-tools has none). */
@Command(name = "tcpaccept", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace TCP accepts, like BCC's tcpaccept.", "",
            "Examples:",
            "  vigil tcpaccept             # trace all TCP accept()s",
            "  vigil tcpaccept -t          # include timestamps",
            "  vigil tcpaccept -P 80,81    # only trace port 80 and 81",
            "  vigil tcpaccept -p 181      # only trace PID 181",
            "  vigil tcpaccept -4          # trace IPv4 family only",
            "  vigil tcpaccept -6          # trace IPv6 family only"})
final class TcpAcceptCommand implements Callable<Integer> {
    @Option(names = {"-T", "--time"}, description = "Include time column on output (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-P", "--port"}, paramLabel = "PORTS", description = "Comma-separated list of local ports to trace.")
    String ports;

    @Option(names = {"-4", "--ipv4"}, description = "Trace IPv4 family only.")
    boolean ipv4;

    @Option(names = {"-6", "--ipv6"}, description = "Trace IPv6 family only.")
    boolean ipv6;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (ipv4 && ipv6) {
            throw new IllegalArgumentException("-4 and -6 are mutually exclusive");
        }
        var options = new TcpAccept.Options(tool.filters(pid.pid, null, null), ipv4 ? Addresses.AF_INET : ipv6 ? Addresses.AF_INET6 : 0,
                ports == null ? List.of() : Ports.parse("-P", ports));
        ToolSession session = ToolSession.begin(tool);
        long startBootNs = KernelClock.bootTimeNanos();
        var started = TcpAccept.start(options);
        var printer = new TcpAccept.Printer(session.output(tool.json), new TcpAccept.Format(time, timestamp), startBootNs);
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(TcpEvent.decode(data, offset)));
    }
}
