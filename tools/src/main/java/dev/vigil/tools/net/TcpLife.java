package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.util.List;

/**
 * tcplife: each TCP connection when it closes, with its owner, endpoints, bytes and duration, from
 * sock:inet_sock_set_state (the hook libbpf-tools' tcplife uses too, so one variant everywhere).
 */
public final class TcpLife {
    /**
     * @param family 0 for both, or Addresses.AF_INET (-4) / AF_INET6 (-6)
     * @param localPorts -L, empty for all
     * @param remotePorts -D, empty for all
     */
    public record Options(ToolFilters filters, int family, List<Integer> localPorts, List<Integer> remotePorts) {
        public Options {
            localPorts = List.copyOf(localPorts);
            remotePorts = List.copyOf(remotePorts);
            if (filters.tid() != null || filters.uid() != null || filters.cgroup() != null) {
                throw new IllegalArgumentException("tcplife filters by -p PID only: a connection's end is not in its owner's context");
            }
        }
    }

    /** -T -t -w. */
    public record Format(boolean time, boolean timestamp, boolean wide) {}

    private TcpLife() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("tcplife", "/bpf/tcplife.bpf.o")
                .layout(TcpLifeEvent.LAYOUT)
                .filters(o.filters())
                .constant("target_family", o.family())
                .constant("filter_local_ports", o.localPorts().isEmpty() ? 0 : 1)
                .constant("filter_remote_ports", o.remotePorts().isEmpty() ? 0 : 1)
                .afterLoad(obj -> {
                    Ports.fill(obj, o.localPorts(), Ports.LOCAL);
                    Ports.fill(obj, o.remotePorts(), Ports.REMOTE);
                })
                .attach("handle_set_state", Hook.tracepoint("sock", "inet_sock_set_state"))
                .ring("events")
                .start();
    }

    /** libbpf-tools' columns: {@code [TIME] [TIME(s)] PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS}. */
    public static final class Printer extends EventPrinter<TcpLifeEvent> {
        private final Format format;
        private final long startBootNs;
        private final int width;

        public Printer(ToolOutput out, Format format, long startBootNs) {
            super(out);
            this.format = format;
            this.startBootNs = startBootNs;
            this.width = format.wide() ? 39 : 15;
        }

        @Override
        protected void heading() {
            StringBuilder h = new StringBuilder();
            if (format.time()) {
                h.append(String.format("%-8s ", "TIME"));
            }
            if (format.timestamp()) {
                h.append(String.format("%-9s ", "TIME(s)"));
            }
            h.append(String.format("%-7s %-16s %-" + width + "s %-5s %-" + width + "s %-5s %-6s %-6s %s%n",
                    "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS"));
            out.print(h.toString());
        }

        /** %.2f of bytes / 1024, rounded half up as printf does. */
        static long hundredthsOfKib(long bytes) {
            return (bytes * 100 + 512) / 1024;
        }

        @Override
        protected void fields(JsonGenerator g, TcpLifeEvent e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("ip", Addresses.ipVersion(e.family()));
            g.writeStringField("laddr", e.laddr());
            g.writeNumberField("lport", e.lport());
            g.writeStringField("raddr", e.raddr());
            g.writeNumberField("rport", e.rport());
            g.writeNumberField("tx_bytes", e.txBytes());
            g.writeNumberField("rx_bytes", e.rxBytes());
            g.writeNumberField("span_us", e.spanUs());
        }

        @Override
        protected void columns(TcpLifeEvent e) {
            // the columns written straight into the line buffer: no Formatter per connection (String.format
            // was most of the consumer's CPU on a connect loop, bench/tools2)
            LineBuffer l = out.line();
            if (format.time()) {
                l.left(ToolOutput.hms(), 8).ch(' ');
            }
            if (format.timestamp()) {
                l.fixedLeft(Math.max(0, (e.bootTimeNs() - startBootNs + 500_000) / 1_000_000), 3, 9).ch(' ');
            }
            l.decLeft(e.pid(), 7).ch(' ').left(e.comm(), 16).ch(' ').left(e.laddr(), width).ch(' ').decLeft(e.lport(), 5).ch(' ')
                    .left(e.raddr(), width).ch(' ').decLeft(e.rport(), 5).ch(' ')
                    .fixedLeft(hundredthsOfKib(e.txBytes()), 2, 6).ch(' ').fixedLeft(hundredthsOfKib(e.rxBytes()), 2, 6).ch(' ')
                    .fixedLeft((e.spanUs() + 5) / 10, 2, 0).nl();
        }
    }
}
