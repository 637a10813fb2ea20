package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * tcpretrans: TCP retransmissions with their flow and the socket's state (BCC's tcpretrans), from
 * tcp:tcp_retransmit_skb. Tail loss probes (-l) need a kprobe on tcp_send_loss_probe: on a kernel
 * without kprobes -l is refused in one line. With -c the kernel counts per flow and prints at the end.
 */
public final class TcpRetrans {
    public static final int RETRANSMIT = 1;
    public static final int LOSS_PROBE = 2;

    /** @param family 0, or Addresses.AF_INET (-4) / AF_INET6 (-6); @param lossProbes -l; @param count -c */
    public record Options(int family, boolean lossProbes, boolean count) {}

    /** {@code struct vigil_tcpretrans_event} (bpf/include/vigil/tcp.h). */
    public record Event(long bootTimeNs, int pid, int state, int family, int lport, int rport, int type, String laddr, String raddr) {
        public static final StructView LAYOUT = StructView.builder("vigil_tcpretrans_event", 56)
                .field("ts_ns", 0, 8)
                .field("pid", 8, 4)
                .field("state", 12, 4)
                .field("family", 16, 2)
                .field("lport", 18, 2)
                .field("rport", 20, 2)
                .field("type", 22, 2)
                .field("laddr", 24, 16)
                .field("raddr", 40, 16)
                .build();

        public static Event decode(MemorySegment d, long at) {
            int family = Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 16));
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at), d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 12), family,
                    Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 18)),
                    Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 20)),
                    Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 22)),
                    Addresses.format(family, d, at + 24), Addresses.format(family, d, at + 40));
        }

        public String stateName() {
            return TcpStates.name(state);
        }
    }

    /** -c: one flow's retransmits. */
    public record FlowCount(int family, String laddr, int lport, String raddr, int rport, long retransmits) {}

    static final StructView FLOW = StructView.builder("vigil_tcpretrans_flow", 40)
            .field("family", 0, 2)
            .field("lport", 2, 2)
            .field("rport", 4, 2)
            .field("laddr", 8, 16)
            .field("raddr", 24, 16)
            .build();

    private TcpRetrans() {}

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("tcpretrans", "/bpf/tcpretrans.bpf.o")
                .layout(Event.LAYOUT)
                .layout(FLOW)
                .filters(ToolFilters.NONE)
                .constant("target_family", o.family())
                .constant("count_only", o.count() ? 1 : 0)
                .attach("handle_retransmit", Hook.tracepoint("tcp", "tcp_retransmit_skb"));
        if (o.lossProbes()) {
            b.attachOneOf(BpfTool.Variant.of("kprobe", "tcp_send_loss_probe_entry", Hook.kprobe("tcp_send_loss_probe")));
        }
        return b.ring("events").start();
    }

    /** -c: the flows counted so far, most retransmits first. */
    public static List<FlowCount> counts(BpfTool tool) {
        BpfMap map = tool.map("counts");
        List<FlowCount> out = new ArrayList<>();
        for (byte[] key : map.keys()) {
            map.lookup(key).ifPresent(v -> {
                MemorySegment k = MemorySegment.ofArray(key);
                int family = Short.toUnsignedInt(k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
                out.add(new FlowCount(family, Addresses.format(family, k, 8),
                        Short.toUnsignedInt(k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2)), Addresses.format(family, k, 24),
                        Short.toUnsignedInt(k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4)),
                        MemorySegment.ofArray(v).get(ValueLayout.JAVA_LONG_UNALIGNED, 0)));
            });
        }
        out.sort(Comparator.comparingLong(FlowCount::retransmits).reversed());
        return out;
    }

    /** BCC's columns: {@code TIME PID IP LADDR:LPORT T> RADDR:RPORT STATE}; with -c the counts table at the end. */
    public static final class Printer extends EventPrinter<Event> {
        public Printer(ToolOutput out) {
            super(out);
        }

        @Override
        protected void heading() {
            out.printf("%-8s %-7s %-2s %-20s %1s> %-20s %s%n", "TIME", "PID", "IP", "LADDR:LPORT", "T", "RADDR:RPORT", "STATE");
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("ip", Addresses.ipVersion(e.family()));
            g.writeStringField("laddr", e.laddr());
            g.writeNumberField("lport", e.lport());
            g.writeStringField("type", e.type() == LOSS_PROBE ? "loss_probe" : "retransmit");
            g.writeStringField("raddr", e.raddr());
            g.writeNumberField("rport", e.rport());
            g.writeStringField("state", e.stateName());
        }

        @Override
        protected void columns(Event e) {
            String type = e.type() == LOSS_PROBE ? "L" : "R";
            out.printf("%-8s %-7d %-2d %-20s %1s> %-20s %s%n", ToolOutput.hms(), e.pid(), Addresses.ipVersion(e.family()),
                    e.laddr() + ":" + e.lport(), type, e.raddr() + ":" + e.rport(), e.stateName());
        }

        public void counts(List<FlowCount> flows) {
            if (out.json()) {
                try {
                    for (FlowCount f : flows) {
                        JsonGenerator g = out.beginObject();
                        g.writeNumberField("ip", Addresses.ipVersion(f.family()));
                        g.writeStringField("laddr", f.laddr());
                        g.writeNumberField("lport", f.lport());
                        g.writeStringField("raddr", f.raddr());
                        g.writeNumberField("rport", f.rport());
                        g.writeNumberField("retransmits", f.retransmits());
                        out.endObject();
                    }
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
                return;
            }
            out.printf("%n%-25s %-25s %-10s%n", "LADDR:LPORT", "RADDR:RPORT", "RETRANSMITS");
            for (FlowCount f : flows) {
                out.printf("%-20s <-> %-20s %10d%n", f.laddr() + ":" + f.lport(), f.raddr() + ":" + f.rport(), f.retransmits());
            }
        }
    }
}
