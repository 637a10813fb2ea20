package dev.vigil.cli;

import dev.vigil.tools.bindsnoop.BindSnoop;
import dev.vigil.tools.net.Ports;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** bindsnoop with libbpf-tools' flags (-t is its timestamp, as there). */
@Command(name = "bindsnoop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace bind syscalls on IPv4 and IPv6 sockets, like libbpf-tools' bindsnoop.", "",
            "Examples:",
            "  vigil bindsnoop             # trace all bind syscalls",
            "  vigil bindsnoop -t          # include timestamps",
            "  vigil bindsnoop -x          # include errors on output",
            "  vigil bindsnoop -p 1216     # only trace PID 1216",
            "  vigil bindsnoop -c CG       # only trace processes in cgroup v2 directory CG",
            "  vigil bindsnoop -P 80,81    # only trace port 80 and 81",
            "",
            "Socket options are reported as:",
            "  SOL_IP     IP_FREEBIND              F....",
            "  SOL_IP     IP_TRANSPARENT           .T...",
            "  SOL_IP     IP_BIND_ADDRESS_NO_PORT  ..N..",
            "  SOL_SOCKET SO_REUSEADDR             ...R.",
            "  SOL_SOCKET SO_REUSEPORT             ....r",
            "",
            "PORT and ADDR are what bind() was asked for (port 0: the kernel picks one).",
            "Hook: the bind syscall's exit tracepoint on every kernel (libbpf-tools' kprobes on inet_bind and",
            "inet6_bind give the same columns)."})
final class BindSnoopCommand implements ToolCommand {
    @Option(names = {"-t", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Option(names = {"-x", "--failed"}, description = "Include errors on output.")
    boolean failed;

    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-P", "--ports"}, paramLabel = "PORTS", description = "Comma-separated list of ports to trace.")
    String ports;

    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        List<Integer> portList = ports == null ? List.of() : Ports.parse("-P", ports);
        var options = new BindSnoop.Options(tool.filters(pid.pid, null, null), failed, portList, timestamp);
        ToolSession session = ToolSession.begin(tool);
        var printer = new BindSnoop.Printer(session.output(tool.json), options);
        return session.stream(BindSnoop.start(options), printer::header, (d, o, l) -> printer.print(BindSnoop.Event.decode(d, o)));
    }
}
