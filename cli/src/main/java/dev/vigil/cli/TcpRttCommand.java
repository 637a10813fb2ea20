package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.net.TcpRtt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** tcprtt with libbpf-tools' flags. */
@Command(name = "tcprtt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize TCP RTT as a histogram, like libbpf-tools' tcprtt.", "",
            "Examples:",
            "  vigil tcprtt            # summarize TCP RTT",
            "  vigil tcprtt -i 1 -d 10 # print 1 second summaries, for 10 s",
            "  vigil tcprtt -m -T      # summarize in millisecond, and timestamps",
            "  vigil tcprtt -p 80      # filter for local port",
            "  vigil tcprtt -P 80      # filter for remote port",
            "  vigil tcprtt -a 1.2.3.4 # filter for local address",
            "  vigil tcprtt -A 1.2.3.4 # filter for remote address",
            "  vigil tcprtt -b         # show sockets histogram by local address",
            "  vigil tcprtt -B         # show sockets histogram by remote address",
            "  vigil tcprtt -e         # show extension summary(average)"})
final class TcpRttCommand implements ToolCommand {
    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval, seconds.")
    Integer interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace, seconds.")
    Integer duration;

    @Option(names = {"-T", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--millisecond"}, description = "Millisecond histogram.")
    boolean millis;

    @Option(names = {"-p", "--lport"}, paramLabel = "LPORT", description = "Filter for local port.")
    Integer localPort;

    @Option(names = {"-P", "--rport"}, paramLabel = "RPORT", description = "Filter for remote port.")
    Integer remotePort;

    @Option(names = {"-a", "--laddr"}, paramLabel = "LADDR", description = "Filter for local address.")
    String localAddress;

    @Option(names = {"-A", "--raddr"}, paramLabel = "RADDR", description = "Filter for remote address.")
    String remoteAddress;

    @Option(names = {"-b", "--byladdr"}, description = "Show sockets histogram by local address.")
    boolean byLocal;

    @Option(names = {"-B", "--byraddr"}, description = "Show sockets histogram by remote address.")
    boolean byRemote;

    @Option(names = {"-e", "--extension"}, description = "Show extension summary (average).")
    boolean extended;

    @Option(names = "--json", description = "One JSON object a line (one per histogram).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Intervals.validate(interval, duration);
        if (byLocal && byRemote) {
            throw new IllegalArgumentException("-b and -B are mutually exclusive");
        }
        TcpRtt.By by = byLocal ? TcpRtt.By.LOCAL : byRemote ? TcpRtt.By.REMOTE : TcpRtt.By.ALL;
        var options = new TcpRtt.Options(localPort == null ? 0 : localPort, remotePort == null ? 0 : remotePort,
                TcpRtt.parseAddress("-a", localAddress), TcpRtt.parseAddress("-A", remoteAddress), by, millis);
        ToolOptions tool = new ToolOptions(); // RTT samples arrive in softirq: no process filters, as in libbpf-tools
        tool.json = json;
        tool.verbose = verbose;
        ToolSession session = ToolSession.begin(tool);
        var started = TcpRtt.start(options);
        ToolOutput out = session.output(json);
        return Intervals.runTimed(session, started, out, json ? null : "Tracing TCP RTT... Hit Ctrl-C to end.", null, interval, duration,
                t -> TcpRtt.print(out, TcpRtt.drain(t, by), by, millis, extended, timestamp));
    }
}
