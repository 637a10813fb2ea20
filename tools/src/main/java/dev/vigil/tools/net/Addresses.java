package dev.vigil.tools.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Addresses as the TCP records carry them: 16 bytes in network order, 4 used for AF_INET. */
public final class Addresses {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private Addresses() {}

    public static String format(int family, MemorySegment d, long at) {
        if (family == AF_INET) { // the common case, without an InetAddress
            return dotted(d, at);
        }
        if (isV4Mapped(d, at)) { // ::ffff:a.b.c.d prints as a.b.c.d, as InetAddress does
            return dotted(d, at + 12);
        }
        byte[] b = new byte[family == AF_INET ? 4 : 16];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, at, b, 0, b.length);
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which cannot happen
        }
    }

    private static String dotted(MemorySegment d, long at) {
        StringBuilder sb = new StringBuilder(15);
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(Byte.toUnsignedInt(d.get(ValueLayout.JAVA_BYTE, at + i)));
        }
        return sb.toString();
    }

    private static boolean isV4Mapped(MemorySegment d, long at) {
        for (int i = 0; i < 10; i++) {
            if (d.get(ValueLayout.JAVA_BYTE, at + i) != 0) {
                return false;
            }
        }
        return d.get(ValueLayout.JAVA_BYTE, at + 10) == (byte) 0xff && d.get(ValueLayout.JAVA_BYTE, at + 11) == (byte) 0xff;
    }

    public static int ipVersion(int family) {
        return family == AF_INET6 ? 6 : 4;
    }
}
