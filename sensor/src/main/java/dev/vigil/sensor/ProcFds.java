package dev.vigil.sensor;

import dev.vigil.events.FdType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An fd the sensor did not see being made (a process's stdio inherited from a shell older than the agent), read
 * from /proc/PID/fd: its type and name as the link names them. Sockets are typed from the process's
 * /proc/PID/net tables (unix, then tcp/udp 4 and 6), which name each socket's inode.
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
            return new FdEntry(num, socketType(pid, ino), null);
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

    /** The socket's family from the net tables of the process's namespace; IPv4 when none lists it (e.g. raw, netlink). */
    private static FdType socketType(int pid, String ino) {
        Path net = Path.of("/proc", Integer.toString(pid), "net");
        if (lists(net.resolve("unix"), ino, 6)) return FdType.UNIX;
        if (lists(net.resolve("tcp6"), ino, 9) || lists(net.resolve("udp6"), ino, 9)) return FdType.IPV6;
        if (lists(net.resolve("netlink"), ino, 9)) return FdType.NETLINK;
        return FdType.IPV4;
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
