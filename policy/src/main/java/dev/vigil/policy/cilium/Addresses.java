package dev.vigil.policy.cilium;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local addresses of a network namespace, read through a process in it ({@code /proc/PID/net}): IPv4 from
 * fib_trie's "/32 host LOCAL" entries, IPv6 from if_inet6 (global and site scope). Loopback is left out.
 */
final class Addresses {
    private Addresses() {}

    static List<Cidr> of(Path procNet) {
        List<Cidr> out = new ArrayList<>();
        try {
            String last = null;
            for (String line : Files.readAllLines(procNet.resolve("fib_trie"))) {
                String t = line.strip();
                if (t.startsWith("|-- ")) {
                    last = t.substring(4).strip();
                } else if (t.startsWith("/32 host LOCAL") && last != null && !last.startsWith("127.")) {
                    Cidr c = Cidr.parse(last);
                    if (c != null && !out.contains(c)) out.add(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable: no addresses
        }
        try {
            for (String line : Files.readAllLines(procNet.resolve("if_inet6"))) {
                String[] f = line.strip().split("\\s+");
                if (f.length < 4) continue;
                int scope = Integer.parseInt(f[3], 16);
                if (scope == 0x10 || scope == 0x20) continue; // host (::1), link-local
                byte[] raw = new BigInteger("1" + f[0], 16).toByteArray();
                byte[] a = java.util.Arrays.copyOfRange(raw, raw.length - 16, raw.length);
                out.add(Cidr.host(a));
            }
        } catch (IOException | RuntimeException e) {
            // no IPv6
        }
        return out;
    }

    /** The host's own addresses (the agent's namespace), for the {@code host} entity; loopback included. */
    static List<Cidr> host() {
        List<Cidr> out = new ArrayList<>(of(Path.of("/proc/self/net")));
        out.add(Cidr.parse("127.0.0.0/8"));
        out.add(Cidr.parse("::1/128"));
        return out;
    }
}
