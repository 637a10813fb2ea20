package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;

/**
 * tcpconnlat: active TCP connects with the time from SYN to the established connection (libbpf-tools'
 * tcpconnlat). Its kprobes (tcp_v4/v6_connect, tcp_rcv_state_process) where the kernel has them, else
 * sock:inet_sock_set_state (CLOSE to SYN_SENT to ESTABLISHED), chosen by the feature probe.
 */
public final class TcpConnLat {
    /** @param minNanos the min_ms argument: only connects at least this slow (0 for all) */
    public record Options(ToolFilters filters, long minNanos) {
        public Options {
            if (minNanos < 0) {
                throw new IllegalArgumentException("min_ms must not be negative");
            }
            if (filters.tid() != null || filters.uid() != null) {
                throw new IllegalArgumentException("tcpconnlat filters by -p PID and cgroup only");
            }
        }
    }

    /** -t (seconds since the first connect) and -L (the LPORT column). */
    public record Format(boolean timestamp, boolean localPort) {}

    private TcpConnLat() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("tcpconnlat", "/bpf/tcpconnlat.bpf.o")
                .layout(TcpEvent.LAYOUT)
                .filters(o.filters())
                .constant("targ_min_ns", o.minNanos())
                .attachOneOf(
                        BpfTool.Variant.of("kprobe", "tcp_v4_connect_entry", Hook.kprobe("tcp_v4_connect"))
                                .and("tcp_v6_connect_entry", Hook.kprobe("tcp_v6_connect"))
                                .and("tcp_rcv_state_process_entry", Hook.kprobe("tcp_rcv_state_process")),
                        BpfTool.Variant.of("tracepoint", "handle_set_state", Hook.tracepoint("sock", "inet_sock_set_state")))
                .ring("events")
                .start();
    }

    /** libbpf-tools' columns: {@code [TIME(s)] PID COMM IP SADDR [LPORT] DADDR DPORT LAT(ms)}. */
    public static final class Printer extends EventPrinter<TcpEvent> {
        private final Format format;
        private long firstBootNs;

        public Printer(ToolOutput out, Format format) {
            super(out);
            this.format = format;
        }

        @Override
        protected void heading() {
            StringBuilder h = new StringBuilder();
            if (format.timestamp()) {
                h.append(String.format("%-9s ", "TIME(s)"));
            }
            h.append(String.format("%-6s %-12s %-2s %-16s ", "PID", "COMM", "IP", "SADDR"));
            if (format.localPort()) {
                h.append(String.format("%-6s ", "LPORT"));
            }
            h.append(String.format("%-16s %-5s %s%n", "DADDR", "DPORT", "LAT(ms)"));
            out.print(h.toString());
        }

        @Override
        protected void fields(JsonGenerator g, TcpEvent e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("ip", e.ipVersion());
            g.writeStringField("saddr", e.laddr());
            g.writeNumberField("lport", e.lport());
            g.writeStringField("daddr", e.raddr());
            g.writeNumberField("dport", e.rport());
            g.writeNumberField("latency_ns", e.latencyNs());
        }

        @Override
        protected void columns(TcpEvent e) {
            StringBuilder r = new StringBuilder();
            if (format.timestamp()) {
                if (firstBootNs == 0) {
                    firstBootNs = e.bootTimeNs();
                }
                r.append(String.format("%-9.3f ", (e.bootTimeNs() - firstBootNs) / 1e9));
            }
            r.append(String.format("%-6d %-12.12s %-2d %-16s ", e.pid(), e.comm(), e.ipVersion(), e.laddr()));
            if (format.localPort()) {
                r.append(String.format("%-6d ", e.lport()));
            }
            r.append(String.format("%-16s %-5d %.2f%n", e.raddr(), e.rport(), e.latencyNs() / 1e6));
            out.print(r.toString());
        }
    }
}
