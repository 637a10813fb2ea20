package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.util.List;

/**
 * tcpaccept: TCP connections accepted, with the accepting process (BCC's tcpaccept). BCC's kretprobe on
 * inet_csk_accept where kprobes exist; else the accept/accept4 syscall exits, which read the new
 * socket through the returned fd.
 */
public final class TcpAccept {
    /** @param family 0 for both, AF_INET (-4) or AF_INET6 (-6); @param localPorts -P */
    public record Options(ToolFilters filters, int family, List<Integer> localPorts) {
        public Options {
            localPorts = List.copyOf(localPorts);
        }
    }

    /** -T (HH:MM:SS) and -t (seconds since start). */
    public record Format(boolean time, boolean timestamp) {}

    private TcpAccept() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("tcpaccept", "/bpf/tcpaccept.bpf.o")
                .layout(TcpEvent.LAYOUT)
                .filters(o.filters())
                .constant("target_family", o.family())
                .constant("filter_local_ports", o.localPorts().isEmpty() ? 0 : 1)
                .afterLoad(obj -> Ports.fill(obj, o.localPorts(), Ports.LOCAL))
                .attachOneOf(
                        BpfTool.Variant.of("kprobe", "inet_csk_accept_return", Hook.kretprobe("inet_csk_accept")),
                        BpfTool.Variant.of("tracepoint", "handle_exit_accept4", Hook.tracepoint("syscalls", "sys_exit_accept4"))
                                .and("handle_exit_accept", Hook.tracepoint("syscalls", "sys_exit_accept")))
                .ring("events")
                .start();
    }

    /** BCC's columns: {@code [TIME] [TIME(s)] PID COMM IP RADDR RPORT LADDR LPORT}. */
    public static final class Printer extends EventPrinter<TcpEvent> {
        private final Format format;
        private final long startBootNs;

        public Printer(ToolOutput out, Format format, long startBootNs) {
            super(out);
            this.format = format;
            this.startBootNs = startBootNs;
        }

        @Override
        protected void heading() {
            out.print((format.time() ? String.format("%-9s", "TIME") : "") + (format.timestamp() ? String.format("%-9s", "TIME(s)") : "")
                    + String.format("%-7s %-12s %-2s %-16s %-5s %-16s %-5s%n", "PID", "COMM", "IP", "RADDR", "RPORT", "LADDR", "LPORT"));
        }

        @Override
        protected void fields(JsonGenerator g, TcpEvent e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("ip", e.ipVersion());
            g.writeStringField("raddr", e.raddr());
            g.writeNumberField("rport", e.rport());
            g.writeStringField("laddr", e.laddr());
            g.writeNumberField("lport", e.lport());
        }

        @Override
        protected void columns(TcpEvent e) {
            out.print((format.time() ? String.format("%-9s", ToolOutput.hms()) : "")
                    + (format.timestamp() ? String.format("%-9.3f", (e.bootTimeNs() - startBootNs) / 1e9) : "")
                    + String.format("%-7d %-12.12s %-2d %-16s %-5d %-16s %-5d%n", e.pid(), e.comm(), e.ipVersion(),
                            e.raddr(), e.rport(), e.laddr(), e.lport()));
        }
    }
}
