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
        byte[] b = new byte[family == AF_INET ? 4 : 16];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, at, b, 0, b.length);
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which cannot happen
        }
    }

    public static int ipVersion(int family) {
        return family == AF_INET6 ? 6 : 4;
    }
}
