package dev.vigil.tools.net;

import dev.vigil.ebpf.btf.StructView;
import dev.vigil.tools.ToolOutput;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code struct vigil_tcp_event} (bpf/include/vigil/tcp.h): tcpconnect's, tcpaccept's and tcpconnlat's record. */
public record TcpEvent(long bootTimeNs, long latencyNs, int pid, int tid, int uid, int family, int lport, int rport,
        String laddr, String raddr, String comm) {

    public static final StructView LAYOUT = StructView.builder("vigil_tcp_event", 88)
            .field("ts_ns", 0, 8)
            .field("latency_ns", 8, 8)
            .field("pid", 16, 4)
            .field("tid", 20, 4)
            .field("uid", 24, 4)
            .field("family", 28, 2)
            .field("lport", 30, 2)
            .field("rport", 32, 2)
            .field("laddr", 36, 16)
            .field("raddr", 52, 16)
            .field("comm", 68, 16)
            .build();

    public static TcpEvent decode(MemorySegment d, long at) {
        int family = Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 28));
        return new TcpEvent(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 16), d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 20),
                d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 24), family,
                Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 30)),
                Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 32)),
                Addresses.format(family, d, at + 36), Addresses.format(family, d, at + 52), ToolOutput.cString(d, at + 68, 16));
    }

    /** 4 or 6, the IP column. */
    public int ipVersion() {
        return Addresses.ipVersion(family);
    }
}
