package dev.vigil.sensor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import dev.vigil.events.IpAddr;
import dev.vigil.events.L4Proto;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Decoding of user sockaddrs and of struct sensor_sock, into Falco's renderings and {@link FdEntry} state. */
final class Sockets {
    static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    private static final java.lang.foreign.ValueLayout.OfShort BE_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfLong BE_LONG =
            java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt BE_INT =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Sockets() {}

    /** "1.2.3.4:80", "::1:80" or a unix path, from a user sockaddr. */
    static String formatSockaddr(MemorySegment seg, long at, int len) {
        if (len < 2) return null;
        int family = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, at));
        switch (family) {
            case AF_INET:
                if (len < 8) return null;
                return IpAddr.format(0, IpAddr.v4Lo(seg.get(BE_INT, at + 4))) + ":"
                        + Short.toUnsignedInt(seg.get(BE_SHORT, at + 2));
            case AF_INET6:
                if (len < 24) return null;
                return IpAddr.format(seg.get(BE_LONG, at + 8), seg.get(BE_LONG, at + 16)) + ":"
                        + Short.toUnsignedInt(seg.get(BE_SHORT, at + 2));
            case AF_UNIX:
                return cstr(seg, at + 2, len - 2);
            default:
                return null;
        }
    }

    static String cstr(MemorySegment seg, long at, int max) {
        if (max <= 0) return "";
        boolean abstractName = seg.get(JAVA_BYTE, at) == 0;
        long start = abstractName ? at + 1 : at;
        int lim = abstractName ? max - 1 : max;
        int n = 0;
        while (n < lim && seg.get(JAVA_BYTE, start + n) != 0) n++;
        byte[] b = new byte[n];
        MemorySegment.copy(seg, JAVA_BYTE, start, b, 0, n);
        String s = new String(b, StandardCharsets.UTF_8);
        return abstractName ? (n == 0 ? "" : "@" + s) : s;
    }

    static int family(MemorySegment seg, long sock) {
        return Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sock + RecordLayout.S_FAMILY));
    }

    /**
     * Falco's tuple text ("cip:cport->sip:sport" for IP, the path for unix) of the event's socket (slot 5), with
     * the other end named by the syscall where the socket has none.
     */
    static String formatTuple(SensorEvent ev, int role) {
        FdEntry e = new FdEntry(-1, FdType.IPV4, null);
        fill(e, ev, role);
        return e.name();
    }

    /**
     * {@link #fill(FdEntry, MemorySegment, long, int)} from the event's socket, then, for an unconnected socket
     * (a datagram socket used with addresses), the other end from the address the syscall carried (slot 4):
     * sendto/sendmsg's destination ("local->destination"), recvfrom/recvmsg's sender ("sender->local"), as
     * Falco's tuple. A unix socket's name becomes that address's path.
     */
    static void fill(FdEntry e, SensorEvent ev, int role) {
        MemorySegment seg = ev.seg;
        fill(e, seg, ev.blobOff[RecordLayout.SLOT_SOCK], role);
        if (e.connected || ev.ret() < 0 || ev.def == null || !ev.hasBlob(RecordLayout.SLOT_EXTRA)) return;
        boolean inbound;
        switch (ev.def.type()) {
            case SENDTO, SENDMSG -> inbound = false;
            case RECVFROM, RECVMSG -> inbound = true;
            default -> { return; }
        }
        long sa = ev.blobOff[RecordLayout.SLOT_EXTRA];
        int len = ev.blobLen[RecordLayout.SLOT_EXTRA];
        int family = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sa));
        if ((family == AF_INET && len >= 8 || family == AF_INET6 && len >= 24) && e.hasTuple) {
            boolean v6 = family == AF_INET6;
            long peerAt = sa + (v6 ? 8 : 4), peerHi = addrHi(seg, peerAt, v6), peerLo = addrLo(seg, peerAt, v6);
            int peerPort = Short.toUnsignedInt(seg.get(BE_SHORT, sa + 2));
            boolean localIsServer = e.role == FdView.ROLE_SERVER; // fill() put the local end on the server side
            long lHi = localIsServer ? e.sipHi : e.cipHi, lLo = localIsServer ? e.sipLo : e.cipLo;
            int lPort = localIsServer ? e.sport : e.cport;
            if (inbound) e.setTuple(peerHi, peerLo, peerPort, lHi, lLo, lPort);
            else e.setTuple(lHi, lLo, lPort, peerHi, peerLo, peerPort);
        } else if (family == AF_UNIX && e.type == FdType.UNIX && len > 2) {
            String path = cstr(seg, sa + 2, len - 2);
            if (!path.isEmpty()) e.setName(path);
        }
    }

    /** An address's two halves as IpAddr keeps them (an IPv4 address IPv4-mapped), read without an array per event. */
    private static long addrHi(MemorySegment seg, long at, boolean v6) { return v6 ? seg.get(BE_LONG, at) : 0; }

    private static long addrLo(MemorySegment seg, long at, boolean v6) {
        return v6 ? seg.get(BE_LONG, at + 8) : IpAddr.v4Lo(seg.get(BE_INT, at));
    }

    /** Sets type, protocol, role and tuple of an fd entry from a struct sensor_sock. */
    static void fill(FdEntry e, MemorySegment seg, long sock, int role) {
        int family = family(seg, sock);
        int type = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sock + RecordLayout.S_TYPE));
        int proto = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sock + RecordLayout.S_PROTOCOL));
        int lport = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sock + RecordLayout.S_LPORT));
        int rport = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, sock + RecordLayout.S_RPORT));
        e.role = role;
        if (family == AF_INET || family == AF_INET6) {
            boolean v6 = family == AF_INET6;
            e.type = v6 ? FdType.IPV6 : FdType.IPV4;
            e.l4proto = proto == 6 || type == 1 ? L4Proto.TCP : proto == 17 || type == 2 ? L4Proto.UDP
                    : proto == 1 || proto == 58 ? L4Proto.ICMP : type == 3 ? L4Proto.RAW : L4Proto.UNKNOWN;
            long la = sock + RecordLayout.S_LADDR, ra = sock + RecordLayout.S_RADDR;
            long lHi = addrHi(seg, la, v6), lLo = addrLo(seg, la, v6), rHi = addrHi(seg, ra, v6), rLo = addrLo(seg, ra, v6);
            if (v6 && IpAddr.isV4(lHi, lLo) && IpAddr.isV4(rHi, rLo)) e.type = FdType.IPV4;
            if (role == FdView.ROLE_SERVER) {
                e.setTuple(rHi, rLo, rport, lHi, lLo, lport);
            } else {
                e.setTuple(lHi, lLo, lport, rHi, rLo, rport);
            }
            e.connected = rport != 0;
        } else if (family == AF_UNIX) {
            e.type = FdType.UNIX;
            String lp = cstr(seg, sock + RecordLayout.S_LPATH, RecordLayout.S_PATH_LEN);
            String rp = cstr(seg, sock + RecordLayout.S_RPATH, RecordLayout.S_PATH_LEN);
            e.setName(role == FdView.ROLE_SERVER ? (lp.isEmpty() ? rp : lp) : (rp.isEmpty() ? lp : rp));
            e.connected = !rp.isEmpty();
        } else if (family == 16) {
            e.type = FdType.NETLINK;
        }
    }
}
