package dev.vigil.tools.net;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * tcprtt: TCP smoothed round-trip times as log2 histograms (libbpf-tools' tcprtt): its kprobe on
 * tcp_rcv_established where the kernel has kprobes, else tcp:tcp_probe, which carries srtt.
 */
public final class TcpRtt {
    /** Which histograms: one for all, per local address (-b) or per remote address (-B). */
    public enum By { ALL, LOCAL, REMOTE }

    /**
     * @param localPort -p, @param remotePort -P (0 for any); @param localAddress -a, @param remoteAddress -A
     * (null for any); @param millis -m
     */
    public record Options(int localPort, int remotePort, InetAddress localAddress, InetAddress remoteAddress, By by, boolean millis) {
        public Options {
            if (localPort < 0 || localPort > 65535 || remotePort < 0 || remotePort > 65535) {
                throw new IllegalArgumentException("-p/-P: a port is 1-65535");
            }
        }
    }

    /** One histogram: the address it is for (null for all), the sum and count of its samples. */
    public record Entry(String address, long sum, long count, Log2Histogram histogram) {
        public long average() {
            return count == 0 ? 0 : sum / count;
        }
    }

    static final int HIST_OFFSET = 16;
    static final StructView KEY = StructView.builder("tcprtt_key", 20).field("family", 0, 2).field("addr", 4, 16).build();
    static final StructView VALUE = StructView.builder("tcprtt_hist", 128) // padded to 8
            .field("latency", 0, 8).field("cnt", 8, 8).field("hist", HIST_OFFSET, Log2Histogram.SLOTS * 4).build();

    private TcpRtt() {}

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("tcprtt", "/bpf/tcprtt.bpf.o")
                .layout(KEY)
                .layout(VALUE)
                .filters(ToolFilters.NONE)
                .constant("targ_laddr_hist", o.by() == By.LOCAL ? 1 : 0)
                .constant("targ_raddr_hist", o.by() == By.REMOTE ? 1 : 0)
                .constant("targ_ms", o.millis() ? 1 : 0)
                .constant("targ_sport", o.localPort())
                .constant("targ_dport", o.remotePort());
        address(b, "targ_saddr", o.localAddress());
        address(b, "targ_daddr", o.remoteAddress());
        return b.attachOneOf(
                        BpfTool.Variant.of("kprobe", "tcp_rcv_established_entry", Hook.kprobe("tcp_rcv_established")),
                        BpfTool.Variant.of("tracepoint", "handle_tcp_probe", Hook.tracepoint("tcp", "tcp_probe")))
                .start();
    }

    private static void address(BpfTool.Builder b, String variable, InetAddress a) {
        if (a == null) {
            return;
        }
        byte[] raw = Arrays.copyOf(a.getAddress(), 16);
        b.constant(variable + "_family", a instanceof Inet4Address ? Addresses.AF_INET : Addresses.AF_INET6);
        b.constant(variable, raw);
    }

    /** The histograms so far, emptied (per interval, as libbpf-tools does). */
    public static List<Entry> drain(BpfTool tool, By by) {
        BpfMap map = tool.map("hists");
        List<Entry> out = new ArrayList<>();
        for (byte[] key : map.keys()) {
            map.lookup(key).ifPresent(v -> {
                ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
                MemorySegment k = MemorySegment.ofArray(key);
                int family = Short.toUnsignedInt(k.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
                String addr = by == By.ALL ? null : Addresses.format(family, k, 4);
                out.add(new Entry(addr, b.getLong(0), b.getLong(8), Log2Histogram.decode(v, HIST_OFFSET)));
            });
            map.delete(key);
        }
        out.sort(Comparator.comparing(e -> e.address() == null ? "" : e.address()));
        return out;
    }

    /** libbpf-tools' output: a heading per histogram ("All Addresses = ******", [AVG n] with -e), then the histogram. */
    public static void print(ToolOutput out, List<Entry> entries, By by, boolean millis, boolean extended, boolean time) {
        String unit = millis ? "msecs" : "usecs";
        out.printHistograms(entries, Entry::histogram, unit, time, new ToolOutput.HistogramLabels<>() {
            @Override
            public void json(JsonGenerator g, Entry e) throws IOException {
                if (e.address() != null) {
                    g.writeStringField(by == By.LOCAL ? "laddr" : "raddr", e.address());
                }
                g.writeNumberField("count", e.count());
                g.writeNumberField("average", e.average());
            }

            @Override
            public void text(ToolOutput o, Entry e) {
                o.print(switch (by) {
                    case LOCAL -> "Local Address = " + e.address() + " ";
                    case REMOTE -> "Remote Address = " + e.address() + " ";
                    case ALL -> "All Addresses = ****** ";
                });
                if (extended) {
                    o.printf("[AVG %d]", e.average());
                }
                o.print("\n");
            }
        });
    }

    /** Parses -a/-A. */
    public static InetAddress parseAddress(String flag, String text) {
        if (text == null) {
            return null;
        }
        if (!text.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException(flag + " " + text + ": not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(flag + " " + text + ": not an IPv4 or IPv6 address");
        }
    }
}
