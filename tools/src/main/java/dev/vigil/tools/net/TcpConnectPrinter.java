package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * tcpconnect's output, libbpf-tools' columns: {@code [TIME(s)] [UID] PID COMM IP SADDR DADDR [SPORT] DPORT},
 * or with -c the connects counted per source, destination and port, printed at the end.
 */
public final class TcpConnectPrinter extends EventPrinter<TcpEvent> {
    public record Format(boolean timestamp, boolean printUid, boolean sourcePort, boolean count) {}

    private record Flow(String saddr, String daddr, int dport) {}

    private final Format format;
    private final long startBootNs;
    private final Map<Flow, Long> counts = new LinkedHashMap<>();

    public TcpConnectPrinter(ToolOutput out, Format format, long startBootNs) {
        super(out);
        this.format = format;
        this.startBootNs = startBootNs;
    }

    @Override
    protected void heading() {
        if (format.count()) {
            return;
        }
        StringBuilder h = new StringBuilder();
        if (format.timestamp()) {
            h.append(String.format("%-9s", "TIME(s)"));
        }
        if (format.printUid()) {
            h.append(String.format("%-6s", "UID"));
        }
        h.append(String.format("%-6s %-12s %-2s %-16s %-16s", "PID", "COMM", "IP", "SADDR", "DADDR"));
        if (format.sourcePort()) {
            h.append(String.format(" %-5s", "SPORT"));
        }
        h.append(String.format(" %-5s%n", "DPORT"));
        out.print(h.toString());
    }

    /** -c counts instead of printing. */
    @Override
    public void print(TcpEvent e) {
        if (format.count()) {
            counts.merge(new Flow(e.laddr(), e.raddr(), e.rport()), 1L, Long::sum);
            return;
        }
        super.print(e);
    }

    @Override
    protected void fields(JsonGenerator g, TcpEvent e) throws IOException {
        g.writeNumberField("ts_ns", e.bootTimeNs());
        g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
        g.writeNumberField("pid", e.pid());
        g.writeNumberField("tid", e.tid());
        g.writeStringField("comm", e.comm());
        g.writeNumberField("ip", e.ipVersion());
        g.writeStringField("saddr", e.laddr());
        g.writeStringField("daddr", e.raddr());
        if (format.sourcePort()) {
            g.writeNumberField("sport", e.lport());
        }
        g.writeNumberField("dport", e.rport());
    }

    @Override
    protected void columns(TcpEvent e) {
        StringBuilder r = new StringBuilder();
        if (format.timestamp()) {
            r.append(String.format("%-9.3f", (e.bootTimeNs() - startBootNs) / 1e9));
        }
        if (format.printUid()) {
            r.append(String.format("%-6d", Integer.toUnsignedLong(e.uid())));
        }
        r.append(String.format("%-6d %-12.12s %-2d %-16s %-16s", e.pid(), e.comm(), e.ipVersion(), e.laddr(), e.raddr()));
        if (format.sourcePort()) {
            r.append(String.format(" %-5d", e.lport()));
        }
        r.append(String.format(" %-5d%n", e.rport()));
        out.print(r.toString());
    }

    /** -c: the table of counts (at the end of the run). */
    public void summary() {
        if (!format.count()) {
            return;
        }
        if (out.json()) {
            counts.forEach((f, n) -> {
                try {
                    JsonGenerator g = out.beginObject();
                    g.writeStringField("saddr", f.saddr());
                    g.writeStringField("daddr", f.daddr());
                    g.writeNumberField("dport", f.dport());
                    g.writeNumberField("connects", n);
                    out.endObject();
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
            return;
        }
        out.printf("%n%-25s %-25s %-20s %-10s%n", "LADDR", "RADDR", "RPORT", "CONNECTS");
        counts.forEach((f, n) -> out.printf("%-25s %-25s %-20d %-10d%n", f.saddr(), f.daddr(), f.dport(), n));
    }
}
