package dev.vigil.enforce.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network: address bytes and prefix length. Parsed without name resolution. */
public record Cidr(byte[] address, int prefixLength) {
    public boolean v6() {
        return address.length == 16;
    }

    public static Cidr parse(String s) {
        String p = problem(s);
        if (p != null) throw new IllegalArgumentException(p);
        int slash = s.indexOf('/');
        byte[] a = literal(slash < 0 ? s : s.substring(0, slash));
        int len = slash < 0 ? a.length * 8 : Integer.parseInt(s.substring(slash + 1));
        return new Cidr(a, len);
    }

    /** Why s is not a CIDR, or null. */
    public static String problem(String s) {
        int slash = s.indexOf('/');
        byte[] a = literal(slash < 0 ? s : s.substring(0, slash));
        if (a == null) return "'" + s + "' is not an IPv4 or IPv6 address or CIDR";
        if (slash >= 0) {
            try {
                int len = Integer.parseInt(s.substring(slash + 1));
                if (len < 0 || len > a.length * 8) return "prefix length of '" + s + "' must be 0-" + a.length * 8;
            } catch (NumberFormatException e) {
                return "'" + s + "' has no valid prefix length";
            }
        }
        return null;
    }

    private static byte[] literal(String s) {
        // only literals: InetAddress.getByName would resolve names
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return null;
        if (v4) {
            for (String part : s.split("\\.")) if (Integer.parseInt(part) > 255) return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
