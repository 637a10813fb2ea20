package dev.vigil.sensor;

import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An fd the sensor did not see being made (a process's stdio inherited from a shell older than the agent, a pipe or
 * socket a poll names whose syscalls were not traced), read from /proc/PID/fd: its type and name as the link names
 * them. Sockets are typed from the process's /proc/PID/net tables (unix, then tcp/udp 4 and 6), which name each
 * socket's inode; a TCP/UDP socket gets both ends from its row.
 */
final class ProcFds {
    private ProcFds() {}

    static FdEntry read(int pid, int num) {
        String link;
        try {
            link = Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(num))).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // closed, or the process is gone
        }
        if (link.startsWith("/")) {
            FdEntry e = new FdEntry(num, Files.isDirectory(Path.of(link)) ? FdType.DIRECTORY : FdType.FILE, link);
            return e;
        }
        if (link.startsWith("pipe:")) return new FdEntry(num, FdType.PIPE, link);
        if (link.startsWith("socket:[")) {
            String ino = link.substring("socket:[".length(), link.length() - 1);
            return socket(pid, num, ino);
        }
        if (link.startsWith("anon_inode:")) {
            String k = link.substring("anon_inode:".length()).replace("[", "").replace("]", "");
            FdType t = switch (k) {
                case "eventfd" -> FdType.EVENT;
                case "eventpoll" -> FdType.EVENTPOLL;
                case "inotify" -> FdType.INOTIFY;
                case "signalfd" -> FdType.SIGNALFD;
                case "timerfd" -> FdType.TIMERFD;
                case "bpf-map", "bpf-prog", "bpf_link" -> FdType.BPF;
                case "userfaultfd" -> FdType.USERFAULTFD;
                case "io_uring" -> FdType.IO_URING;
                case "pidfd" -> FdType.PIDFD;
                default -> null;
            };
            return t == null ? null : new FdEntry(num, t, link);
        }
        return null;
    }

    /**
     * The socket from the net tables of the process's namespace: unix, or TCP/UDP over IPv4/6 with both ends (the
     * side whose local port some listening socket of the table has is the server), netlink; IPv4 when none lists it
     * (e.g. raw).
     */
    private static FdEntry socket(int pid, int num, String ino) {
        Path net = Path.of("/proc", Integer.toString(pid), "net");
        if (lists(net.resolve("unix"), ino, 6)) return new FdEntry(num, FdType.UNIX, null);
        for (String table : new String[] {"tcp", "udp", "tcp6", "udp6"}) {
            java.util.List<String[]> rows = rows(net.resolve(table));
            for (String[] f : rows) {
                if (f.length > 9 && f[9].equals(ino)) return ipSocket(num, table, f, rows);
            }
        }
        if (lists(net.resolve("netlink"), ino, 9)) return new FdEntry(num, FdType.NETLINK, null);
        return new FdEntry(num, FdType.IPV4, null);
    }

    private static final String TCP_LISTEN = "0A";

    private static FdEntry ipSocket(int num, String table, String[] f, java.util.List<String[]> rows) {
        boolean v6 = table.endsWith("6");
        FdEntry e = new FdEntry(num, v6 ? FdType.IPV6 : FdType.IPV4, null);
        e.l4proto = table.startsWith("tcp") ? dev.vigil.events.L4Proto.TCP : dev.vigil.events.L4Proto.UDP;
        long[] l = address(f[1], v6), r = address(f[2], v6);
        if (l == null || r == null) return e;
        int lport = l[2] < 0 ? -1 : (int) l[2], rport = (int) r[2];
        if (v6 && dev.vigil.events.IpAddr.isV4(l[0], l[1]) && dev.vigil.events.IpAddr.isV4(r[0], r[1])) e.type = FdType.IPV4;
        if (rport == 0) { // listening or unconnected: only this end, on the server side as bind/listen leave it
            e.role = FdView.ROLE_SERVER;
            return e;
        }
        boolean server = false;
        for (String[] o : rows) {
            long[] ol = o.length > 3 && TCP_LISTEN.equals(o[3]) ? address(o[1], v6) : null;
            if (ol != null && ol[2] == lport) server = true;
        }
        e.role = server ? FdView.ROLE_SERVER : FdView.ROLE_CLIENT;
        if (server) e.setTuple(r[0], r[1], rport, l[0], l[1], lport);
        else e.setTuple(l[0], l[1], lport, r[0], r[1], rport);
        e.connected = true;
        return e;
    }

    /**
     * "0100007F:1F90" (the address as the kernel's words print in hex, in host order, then the port) as
     * {hi, lo, port}; null when malformed.
     */
    static long[] address(String s, boolean v6) {
        int colon = s.indexOf(':');
        String a = colon < 0 ? "" : s.substring(0, colon);
        try {
            int port = Integer.parseInt(s.substring(colon + 1), 16);
            if (!v6 && a.length() == 8) {
                return new long[] {0, dev.vigil.events.IpAddr.v4Lo(Integer.reverseBytes(Integer.parseUnsignedInt(a, 16))), port};
            }
            if (v6 && a.length() == 32) {
                long[] w = new long[4];
                for (int i = 0; i < 4; i++) w[i] = Integer.reverseBytes(Integer.parseUnsignedInt(a.substring(8 * i, 8 * i + 8), 16)) & 0xffffffffL;
                return new long[] {w[0] << 32 | w[1], w[2] << 32 | w[3], port};
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return null;
        }
        return null;
    }

    private static java.util.List<String[]> rows(Path table) {
        try (var lines = Files.lines(table)) {
            return lines.skip(1).map(l -> l.trim().split("\\s+")).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.List.of();
        }
    }

    /** Whether the table's column {@code col} (0-based, whitespace-separated) has this inode on some line. */
    private static boolean lists(Path table, String ino, int col) {
        try (var lines = Files.lines(table)) {
            return lines.skip(1).anyMatch(l -> {
                String[] f = l.trim().split("\\s+");
                return f.length > col && f[col].equals(ino);
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
