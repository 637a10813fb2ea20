package dev.vigil.tools.net;

import dev.vigil.ebpf.btf.StructView;
import dev.vigil.tools.ToolOutput;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code struct vigil_tcplife_event} (bpf/include/vigil/tcp.h): a closed connection's whole life. */
public record TcpLifeEvent(long bootTimeNs, long spanUs, long rxBytes, long txBytes, int pid, int family, int lport, int rport,
        String laddr, String raddr, String comm) {

    public static final StructView LAYOUT = StructView.builder("vigil_tcplife_event", 96)
            .field("ts_ns", 0, 8)
            .field("span_us", 8, 8)
            .field("rx_b", 16, 8)
            .field("tx_b", 24, 8)
            .field("pid", 32, 4)
            .field("family", 36, 2)
            .field("lport", 38, 2)
            .field("rport", 40, 2)
            .field("laddr", 48, 16)
            .field("raddr", 64, 16)
            .field("comm", 80, 16)
            .build();

    public static TcpLifeEvent decode(MemorySegment d, long at) {
        int family = Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 36));
        return new TcpLifeEvent(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 16), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 24),
                d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 32), family,
                Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 38)),
                Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 40)),
                Addresses.format(family, d, at + 48), Addresses.format(family, d, at + 64), ToolOutput.cString(d, at + 80, 16));
    }
}
