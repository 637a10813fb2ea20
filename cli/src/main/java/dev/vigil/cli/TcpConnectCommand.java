package dev.vigil.cli;

import dev.vigil.ebpf.KernelClock;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.net.Ports;
import dev.vigil.tools.net.TcpConnect;
import dev.vigil.tools.net.TcpConnectPrinter;
import dev.vigil.tools.net.TcpEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** tcpconnect with libbpf-tools' flags (-c is its count mode here, so the cgroup filter is --cgroup only). */
@Command(name = "tcpconnect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace TCP connects, like libbpf-tools' tcpconnect.", "",
            "Examples:",
            "  vigil tcpconnect             # trace all TCP connect()s",
            "  vigil tcpconnect -t          # include timestamps",
            "  vigil tcpconnect -p 181      # only trace PID 181",
            "  vigil tcpconnect -P 80       # only trace port 80",
            "  vigil tcpconnect -P 80,81    # only trace port 80 and 81",
            "  vigil tcpconnect -U          # include UID",
            "  vigil tcpconnect -u 1000     # only trace UID 1000",
            "  vigil tcpconnect -c          # count connects per src ip and dest ip/port",
            "  vigil tcpconnect -s          # include source port",
            "  vigil tcpconnect --cgroup CG # only trace processes in cgroup v2 directory CG"})
final class TcpConnectCommand implements Callable<Integer> {
    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Mixin
    ToolOptions.Pid pid;

    @Mixin
    ToolOptions.Uid uid;

    @Option(names = {"-U", "--print-uid"}, description = "Include UID on output.")
    boolean printUid;

    @Option(names = {"-c", "--count"}, description = "Count connects per src ip and dst ip/port.")
    boolean count;

    @Option(names = {"-s", "--source-port"}, description = "Consider source port when counting, and print it.")
    boolean sourcePort;

    @Option(names = {"-P", "--port"}, paramLabel = "PORTS", description = "Comma-separated list of destination ports to trace.")
    String ports;

    @Option(names = "--cgroup", paramLabel = "CG", description = "Trace processes in this cgroup v2 directory only (and below).")
    Path cgroup;

    @Option(names = "--container", paramLabel = "ID|NAME", description = "Trace processes of this running container only.")
    String container;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        ToolOptions tool = new ToolOptions(); // the shared options, less -c (taken by --count here)
        tool.cgroup = cgroup;
        tool.container = container;
        tool.json = json;
        tool.verbose = verbose;
        List<Integer> portList = ports == null ? List.of() : Ports.parse("-P", ports);
        var options = new TcpConnect.Options(tool.filters(pid.pid, null, uid.uid), sourcePort, portList);
        ToolSession session = ToolSession.begin(tool);
        long startBootNs = KernelClock.bootTimeNanos();
        var started = TcpConnect.start(options);
        var printer = new TcpConnectPrinter(session.output(json),
                new TcpConnectPrinter.Format(timestamp, printUid, sourcePort, count), startBootNs);
        if (count && !json) {
            System.err.println("Tracing connect ... Hit Ctrl-C to end");
        }
        return session.run(started, t -> {
            printer.header();
            session.flush();
            t.run((data, offset, length) -> printer.print(TcpEvent.decode(data, offset)), session::afterBatch);
            printer.summary();
        });
    }
}
