package dev.vigil.events;

/**
 * IP addresses as two longs (the 128-bit IPv6 value, high and low halves). IPv4 addresses are stored
 * IPv4-mapped ({@code ::ffff:a.b.c.d}), so one representation compares both families.
 */
public final class IpAddr {
    private IpAddr() {}

    public static final long V4_MAPPED_HI = 0L;
    public static final long V4_MAPPED_LO_PREFIX = 0x0000ffff00000000L;

    public static long v4Lo(int v4) { return V4_MAPPED_LO_PREFIX | (v4 & 0xffffffffL); }

    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xffffffff00000000L) == V4_MAPPED_LO_PREFIX;
    }

    /**
     * Parses an IPv4 or IPv6 literal into {hi, lo}; returns null if it is not one. No DNS.
     */
    public static long[] parse(String s) {
        if (s == null || s.isEmpty()) return null;
        if (s.indexOf(':') < 0) {
            int v4 = parseV4(s);
            return v4 == -1 && !s.equals("255.255.255.255") ? null : new long[] {0, v4Lo(v4)};
        }
        return parseV6(s);
    }

    private static int parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return -1;
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) return -1;
            int n = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') return -1;
                n = n * 10 + (c - '0');
            }
            if (n > 255) return -1;
            v = (v << 8) | n;
        }
        return v;
    }

    private static long[] parseV6(String s) {
        int zone = s.indexOf('%');
        if (zone >= 0) s = s.substring(0, zone);
        int[] groups = new int[8];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return null;
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int[] h = groups6(head);
        int[] t = groups6(tail);
        if (h == null || t == null) return null;
        if (dbl < 0 && h.length != 8) return null;
        if (dbl >= 0 && h.length + t.length > 7) return null;
        System.arraycopy(h, 0, groups, 0, h.length);
        System.arraycopy(t, 0, groups, 8 - t.length, t.length);
        long hi = 0, lo = 0;
        for (int i = 0; i < 4; i++) hi = (hi << 16) | groups[i];
        for (int i = 4; i < 8; i++) lo = (lo << 16) | groups[i];
        return new long[] {hi, lo};
    }

    private static int[] groups6(String s) {
        if (s.isEmpty()) return new int[0];
        String[] parts = s.split(":", -1);
        int n = parts.length;
        boolean v4tail = parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[v4tail ? n + 1 : n];
        for (int i = 0; i < (v4tail ? n - 1 : n); i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 4) return null;
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = Character.digit(p.charAt(j), 16);
                if (d < 0) return null;
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        if (v4tail) {
            int v4 = parseV4(parts[n - 1]);
            if (v4 == -1 && !parts[n - 1].equals("255.255.255.255")) return null;
            out[n - 1] = (v4 >>> 16) & 0xffff;
            out[n] = v4 & 0xffff;
        }
        return out;
    }

    /** Falco's rendering: dotted quad for IPv4-mapped, compressed hex groups otherwise. */
    public static String format(long hi, long lo) {
        if (isV4(hi, lo)) {
            int v = (int) lo;
            return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
        for (int i = 0; i < 4; i++) g[4 + i] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) j++;
                if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
                i = j;
            } else i++;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** Whether (hi, lo) is inside the network (netHi, netLo)/prefix, prefix over the 128-bit value. */
    public static boolean inNet(long hi, long lo, long netHi, long netLo, int prefix128) {
        if (prefix128 <= 0) return true;
        if (prefix128 <= 64) {
            long mask = prefix128 == 64 ? -1L : ~(-1L >>> prefix128);
            return (hi & mask) == (netHi & mask);
        }
        if (hi != netHi) return false;
        int p = prefix128 - 64;
        long mask = p == 64 ? -1L : ~(-1L >>> p);
        return (lo & mask) == (netLo & mask);
    }
}
