package dev.vigil.rules.fields;

import dev.vigil.events.IpAddr;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The system's resolver (NSS: /etc/hosts, then DNS, as nsswitch.conf says) through libc's getaddrinfo, asked afresh
 * each time, as Falco asks it. Not InetAddress: the JVM keeps a failed lookup for 10 s, and its cache policy is fixed
 * at the JVM's first lookup of any name, so a setting made later (when the first rule names a domain) is ignored and
 * a name that starts to resolve could stay unseen across refreshes.
 */
final class SystemResolver {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETADDRINFO = LINKER.downcallHandle(
            LINKER.defaultLookup().find("getaddrinfo").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS));
    private static final MethodHandle FREEADDRINFO = LINKER.downcallHandle(
            LINKER.defaultLookup().find("freeaddrinfo").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    // struct addrinfo on x86-64 and arm64 (glibc): int flags, family, socktype, protocol; socklen_t addrlen; pad;
    // sockaddr *addr; char *canonname; addrinfo *next
    private static final long AI_SIZE = 48, AI_FAMILY = 4, AI_SOCKTYPE = 8, AI_ADDR = 24, AI_NEXT = 40;
    private static final int AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1;
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SystemResolver() {}

    /** The name's addresses as pairs {hi, lo, hi, lo, ...} (IPv4 mapped), empty when it does not resolve. */
    static long[] resolve(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hints = arena.allocate(AI_SIZE, 8);
            hints.set(ValueLayout.JAVA_INT, AI_SOCKTYPE, SOCK_STREAM); // one entry per address, not one per socket type
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) GETADDRINFO.invokeExact(arena.allocateFrom(name), MemorySegment.NULL, hints, out);
            if (rc != 0) return new long[0];
            MemorySegment head = out.get(ValueLayout.ADDRESS, 0);
            try {
                long[] a = new long[8];
                int n = 0;
                for (MemorySegment ai = head.reinterpret(AI_SIZE); !ai.equals(MemorySegment.NULL);) {
                    int family = ai.get(ValueLayout.JAVA_INT, AI_FAMILY);
                    MemorySegment sa = ai.get(ValueLayout.ADDRESS, AI_ADDR).reinterpret(24);
                    long hi, lo;
                    if (family == AF_INET) {
                        hi = 0;
                        lo = IpAddr.v4Lo(sa.get(INT_BE, 4)); // sockaddr_in: family, port, then the address
                    } else if (family == AF_INET6) {
                        hi = sa.get(LONG_BE, 8); // sockaddr_in6: family, port, flowinfo, then the address
                        lo = sa.get(LONG_BE, 16);
                    } else {
                        ai = next(ai);
                        continue;
                    }
                    if (!hasPair(a, n, hi, lo)) {
                        if (n + 2 > a.length) a = Arrays.copyOf(a, a.length * 2);
                        a[n++] = hi;
                        a[n++] = lo;
                    }
                    ai = next(ai);
                }
                return Arrays.copyOf(a, n);
            } finally {
                FREEADDRINFO.invokeExact(head);
            }
        } catch (Throwable t) {
            return new long[0];
        }
    }

    private static MemorySegment next(MemorySegment ai) {
        MemorySegment n = ai.get(ValueLayout.ADDRESS, AI_NEXT);
        return n.equals(MemorySegment.NULL) ? n : n.reinterpret(AI_SIZE);
    }

    /** Whether the first {@code n} longs of {@code a}, read as pairs {hi, lo}, hold this address. */
    static boolean hasPair(long[] a, int n, long hi, long lo) {
        for (int i = 0; i + 1 < n; i += 2) if (a[i] == hi && a[i + 1] == lo) return true;
        return false;
    }
}
