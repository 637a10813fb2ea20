package dev.vigil.tools.net;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import java.util.List;

/**
 * tcpconnect: active TCP connections (connect()) with the caller. Uses libbpf-tools' kprobes on
 * tcp_v4_connect/tcp_v6_connect where the kernel has kprobes, else sock:inet_sock_set_state
 * (CLOSE to SYN_SENT runs in the caller), chosen by the feature probe.
 *
 * @param sourcePort -s: report the source port (with the tracepoint, the record then waits for the
 *     socket's next state: established, or closed for a refused connect)
 * @param ports -P: destination ports to report, empty for all
 */
public final class TcpConnect {
    public record Options(ToolFilters filters, boolean sourcePort, List<Integer> ports) {
        public Options {
            ports = List.copyOf(ports);
        }
    }

    private TcpConnect() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("tcpconnect", "/bpf/tcpconnect.bpf.o")
                .layout(TcpEvent.LAYOUT)
                .filters(o.filters())
                .constant("source_port", o.sourcePort() ? 1 : 0)
                .constant("filter_remote_ports", o.ports().isEmpty() ? 0 : 1)
                .afterLoad(obj -> Ports.fill(obj, o.ports(), Ports.REMOTE))
                .attachOneOf(
                        BpfTool.Variant.of("kprobe", "tcp_v4_connect_entry", Hook.kprobe("tcp_v4_connect"))
                                .and("tcp_v4_connect_return", Hook.kretprobe("tcp_v4_connect"))
                                .and("tcp_v6_connect_entry", Hook.kprobe("tcp_v6_connect"))
                                .and("tcp_v6_connect_return", Hook.kretprobe("tcp_v6_connect")),
                        BpfTool.Variant.of("tracepoint", "handle_set_state", Hook.tracepoint("sock", "inet_sock_set_state")))
                .ring("events")
                .start();
    }
}
