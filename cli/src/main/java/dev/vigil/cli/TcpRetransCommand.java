package dev.vigil.cli;

import dev.vigil.tools.net.Addresses;
import dev.vigil.tools.net.TcpRetrans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** tcpretrans with BCC's flags (libbpf-tools has no tcpretrans). */
@Command(name = "tcpretrans", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace TCP retransmits, like BCC's tcpretrans.", "",
            "Examples:",
            "  vigil tcpretrans        # trace TCP retransmits",
            "  vigil tcpretrans -l     # include tail loss probe attempts (needs kprobes)",
            "  vigil tcpretrans -c     # count occurred retransmits per flow",
            "  vigil tcpretrans -4     # trace IPv4 family only",
            "  vigil tcpretrans -6     # trace IPv6 family only"})
final class TcpRetransCommand implements ToolCommand {
    @Option(names = {"-l", "--lossprobe"}, description = "Include tail loss probe attempts (kprobe on tcp_send_loss_probe).")
    boolean lossProbes;

    @Option(names = {"-c", "--count"}, description = "Count occurred retransmits per flow, printed at the end.")
    boolean count;

    @Option(names = {"-4", "--ipv4"}, description = "Trace IPv4 family only.")
    boolean ipv4;

    @Option(names = {"-6", "--ipv6"}, description = "Trace IPv6 family only.")
    boolean ipv6;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (ipv4 && ipv6) {
            throw new IllegalArgumentException("-4 and -6 are mutually exclusive");
        }
        ToolOptions tool = new ToolOptions(); // retransmits run from timers and softirqs: no process filters
        tool.json = json;
        tool.verbose = verbose;
        var options = new TcpRetrans.Options(ipv4 ? Addresses.AF_INET : ipv6 ? Addresses.AF_INET6 : 0, lossProbes, count);
        ToolSession session = ToolSession.begin(tool);
        var started = TcpRetrans.start(options);
        var printer = new TcpRetrans.Printer(session.output(json));
        if (count) {
            return session.run(started, t -> {
                if (!json) {
                    System.err.println("Tracing retransmits ... Hit Ctrl-C to end");
                }
                t.awaitStop();
                printer.counts(TcpRetrans.counts(t));
            });
        }
        if (!json) {
            System.err.println("Tracing retransmits ... Hit Ctrl-C to end");
        }
        return session.stream(started, printer::header, (data, offset, length) -> printer.print(TcpRetrans.Event.decode(data, offset)));
    }
}
