package dev.vigil.policy.cilium;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 prefix, host bits cleared; addresses are 16 bytes (IPv4 in the first 4). */
public record Cidr(int family, byte[] addr, int prefix) {
    public static final Cidr ALL4 = new Cidr(4, new byte[16], 0);
    public static final Cidr ALL6 = new Cidr(6, new byte[16], 0);

    public Cidr {
        addr = mask(addr, prefix);
    }

    /** "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128); null when it is not one. */
    public static Cidr parse(String s) {
        String t = s.trim();
        int slash = t.indexOf('/');
        String ip = slash < 0 ? t : t.substring(0, slash);
        if (ip.isEmpty() || !(ip.indexOf(':') >= 0 || ip.matches("[0-9.]+"))) return null; // never a DNS lookup
        InetAddress a;
        try {
            a = InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
        byte[] raw = a.getAddress();
        int family = raw.length == 4 ? 4 : 6;
        int max = family == 4 ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > max) return null;
        }
        return new Cidr(family, Arrays.copyOf(raw, 16), prefix);
    }

    public static Cidr host(byte[] raw) {
        return new Cidr(raw.length == 4 ? 4 : 6, Arrays.copyOf(raw, 16), raw.length * 8);
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] out = Arrays.copyOf(a, 16);
        for (int bit = prefix; bit < 128; bit++) {
            out[bit >> 3] &= (byte) ~(0x80 >> (bit & 7));
        }
        return out;
    }

    /** Whether this prefix contains the other one (same family, shorter or equal, same leading bits). */
    public boolean covers(Cidr o) {
        if (family != o.family || prefix > o.prefix) return false;
        return Arrays.equals(mask(o.addr, prefix), addr);
    }

    /** The prefix of the given length containing this one. */
    public Cidr truncate(int len) {
        return new Cidr(family, addr, len);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.family == family && c.prefix == prefix && Arrays.equals(c.addr, addr);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(addr) * 31 + prefix * 2 + family;
    }

    @Override
    public String toString() {
        try {
            byte[] raw = family == 4 ? Arrays.copyOf(addr, 4) : addr;
            return InetAddress.getByAddress(raw).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}
