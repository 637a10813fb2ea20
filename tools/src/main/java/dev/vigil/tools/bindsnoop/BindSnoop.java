package dev.vigil.tools.bindsnoop;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.net.Ports;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * bindsnoop: bind(2) on IPv4 and IPv6 sockets, columns as libbpf-tools':
 * {@code [TIME(s)] PID COMM RET PROTO OPTS IF PORT ADDR}. libbpf-tools probes inet_bind/inet6_bind with
 * kprobes; the syscall's exit tracepoint gives the same columns (bpf/bindsnoop.bpf.c), so it is the one
 * hook, on every kernel.
 */
public final class BindSnoop {
    static final String OBJECT = "/bpf/bindsnoop.bpf.o";
    static final int COMM_LEN = 16;
    /** The OPTS column's letters, bit 0 first: IP_FREEBIND, IP_TRANSPARENT, IP_BIND_ADDRESS_NO_PORT, SO_REUSEADDR, SO_REUSEPORT. */
    static final String OPT_LETTERS = "FTNRr";

    private BindSnoop() {}

    /**
     * @param failed -x: failed binds too (without it, successful ones only, as libbpf-tools)
     * @param ports -P: these ports only (in the kernel), empty for all
     * @param timestamp -t: a TIME(s) column (HH:MM:SS, as libbpf-tools prints it)
     */
    public record Options(ToolFilters filters, boolean failed, List<Integer> ports, boolean timestamp) {
        public Options {
            ports = List.copyOf(ports);
        }

        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, List.of(), false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, failed, ports, timestamp); }
        public Options withFailed(boolean v) { return new Options(filters, v, ports, timestamp); }
        public Options withPorts(List<Integer> p) { return new Options(filters, failed, p, timestamp); }
    }

    /** struct bindsnoop_event (bpf/include/vigil/bindsnoop.h). */
    public record Event(long bootTimeNs, String addr, int pid, int tid, int uid, int ret, int boundDevIf, int port,
            int opts, int proto, int ver, String comm) {
        static final StructView LAYOUT = StructView.builder("bindsnoop_event", 72)
                .field("ts_ns", 0, 8).field("addr", 8, 16).field("pid", 24, 4).field("tid", 28, 4).field("uid", 32, 4)
                .field("ret", 36, 4).field("bound_dev_if", 40, 4).field("port", 44, 2).field("opts", 46, 1)
                .field("proto", 47, 1).field("ver", 48, 1).field("comm", 56, COMM_LEN).build();

        public static Event decode(MemorySegment d, long o) {
            int ver = Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, o + 48));
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o),
                    ntop(ver, d, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 28),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 32), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 36),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 40), Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, o + 44)),
                    Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, o + 46)), Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, o + 47)),
                    ver, ToolOutput.cString(d, o + 56, COMM_LEN));
        }

        /** PROTO as libbpf-tools prints it. */
        public String protoName() {
            return switch (proto) {
                case 6 -> "TCP";
                case 17 -> "UDP";
                default -> "UNK";
            };
        }

        /** OPTS as libbpf-tools prints it: "FTNRr" with a '.' for each option not set. */
        public String optsColumn() {
            char[] c = new char[OPT_LETTERS.length()];
            for (int i = 0; i < c.length; i++) {
                c[i] = (opts & (1 << i)) != 0 ? OPT_LETTERS.charAt(i) : '.';
            }
            return new String(c);
        }
    }

    /**
     * The address as inet_ntop(3) writes it, as libbpf-tools prints it: IPv6 with the longest run of zero
     * groups as "::" and an IPv4-mapped or -compatible address in dotted form ("::ffff:127.0.0.1").
     */
    static String ntop(int ver, MemorySegment d, long at) {
        int[] b = new int[ver == 6 ? 16 : 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, at + i));
        }
        if (ver != 6) {
            return b[0] + "." + b[1] + "." + b[2] + "." + b[3];
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = b[2 * i] << 8 | b[2 * i + 1];
        }
        int bestBase = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestBase) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                s.append(b[12]).append('.').append(b[13]).append('.').append(b[14]).append('.').append(b[15]);
                break;
            }
            s.append(Integer.toHexString(w[i]));
            if (i < 7) {
                s.append(':');
            }
        }
        return s.toString();
    }

    public static BpfTool start(Options o) {
        return BpfTool.builder("bindsnoop", OBJECT)
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("ignore_errors", o.failed() ? 0 : 1)
                .constant("filter_local_ports", o.ports().isEmpty() ? 0 : 1)
                .afterLoad(obj -> Ports.fill(obj, o.ports(), Ports.LOCAL))
                .attachOneOf(BpfTool.Variant.of("tracepoint", "handle_exit_bind", Hook.tracepoint("syscalls", "sys_exit_bind")))
                .ring("events")
                .start();
    }

    public static final class Printer extends EventPrinter<Event> {
        private final Options o;

        public Printer(ToolOutput out, Options options) {
            super(out);
            this.o = options;
        }

        /** libbpf-tools: {@code "%-7s %-16s %-3s %-5s %-5s %-4s %-5s %-48s\n"}, after {@code "%-8s "} TIME(s) with -t. */
        @Override
        protected void heading() {
            LineBuffer l = out.line();
            if (o.timestamp()) l.left("TIME(s)", 8).ch(' ');
            l.left("PID", 7).ch(' ').left("COMM", 16).ch(' ').left("RET", 3).ch(' ').left("PROTO", 5).ch(' ')
                    .left("OPTS", 5).ch(' ').left("IF", 4).ch(' ').left("PORT", 5).ch(' ').left("ADDR", 48).nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            if (o.timestamp()) l.right(ToolOutput.hms(), 8).ch(' ');
            l.decLeft(e.pid(), 7).ch(' ').left(e.comm(), 16).ch(' ').decLeft(e.ret(), 3).ch(' ').left(e.protoName(), 5).ch(' ')
                    .left(e.optsColumn(), 5).ch(' ').decLeft(Integer.toUnsignedLong(e.boundDevIf()), 4).ch(' ')
                    .decLeft(e.port(), 5).ch(' ').left(e.addr(), 48).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            if (o.timestamp()) g.writeStringField("time", ToolOutput.hms());
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeStringField("comm", e.comm());
            g.writeNumberField("ret", e.ret());
            g.writeStringField("proto", e.protoName());
            g.writeStringField("opts", e.optsColumn());
            g.writeNumberField("if", Integer.toUnsignedLong(e.boundDevIf()));
            g.writeNumberField("port", e.port());
            g.writeStringField("addr", e.addr());
            g.writeNumberField("ip", e.ver());
        }
    }
}
