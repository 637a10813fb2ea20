package dev.vigil.sensor;

import dev.vigil.events.EventType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The syscalls the sensor can trace (x86-64 numbers), what the kernel reads for each (the sensor_spec the
 * exit program follows) and where each {@link EventType} parameter comes from in the record.
 *
 * <p>Parameter sources: {@code ret}; {@code a0..a5} the raw arguments; {@code p0}/{@code p1} path 0/1 made
 * absolute against its base directory; {@code r0} path 0 as passed (mount's source is often a name such as
 * "tmpfs", not a path); {@code s} the extra string (slot 4); {@code sa} the user sockaddr
 * (slot 4) rendered; {@code tuple} the socket's ends (slot 5) rendered; {@code how.flags}/{@code how.mode}/
 * {@code how.resolve} the struct open_how of openat2 (slot 4).
 */
public final class SyscallTable {
    /** One traced syscall. */
    public record Def(EventType type, int nr, int kind, int flags, int path0, int dirfd0, int path1, int dirfd1,
            int str, int sockaddr, int sockaddrLen, String[] sources, int[] codes) {
        /** Source of parameter slot i of {@link #type()}, or null. */
        public String source(int slot) { return slot < sources.length ? sources[slot] : null; }

        /** The source of slot i as a number (SRC_*), so the per-event decode needs no string switch. */
        int code(int slot) { return slot < codes.length ? codes[slot] : SRC_NONE; }
    }

    /** Numeric sources: none, the return value, raw argument 0-5; SRC_OTHER: look at the string. */
    static final int SRC_NONE = 0, SRC_RET = 1, SRC_A0 = 2, SRC_OTHER = 8;

    static int code(String src) {
        if (src == null) return SRC_NONE;
        if (src.equals("ret")) return SRC_RET;
        if (src.length() == 2 && src.charAt(0) == 'a' && src.charAt(1) >= '0' && src.charAt(1) <= '5') return SRC_A0 + src.charAt(1) - '0';
        return SRC_OTHER;
    }

    private static final List<Def> DEFS = new ArrayList<>();
    private static final Map<EventType, Def> BY_TYPE = new EnumMap<>(EventType.class);
    private static final Def[] BY_KIND = new Def[RecordLayout.MAX_KINDS];

    private static final int N = -1;
    private static final int SA = RecordLayout.SPEC_SOCK_ARG0, SR = RecordLayout.SPEC_SOCK_RET;

    // type, nr, flags, path0, dirfd0, path1, dirfd1, str, sockaddr, sockaddrLen, "param=source ..."
    static {
        d(EventType.OPEN, 2, 0, 0, N, N, N, N, N, N, "fd=ret name=p0 flags=a1 mode=a2");
        d(EventType.OPENAT, 257, 0, 1, 0, N, N, N, N, N, "fd=ret dirfd=a0 name=p0 flags=a2 mode=a3");
        d(EventType.OPENAT2, 437, 0, 1, 0, N, N, N, 2, 3,
                "fd=ret dirfd=a0 name=p0 flags=how.flags mode=how.mode resolve=how.resolve");
        d(EventType.CREAT, 85, 0, 0, N, N, N, N, N, N, "fd=ret name=p0 mode=a1");
        d(EventType.EXECVE, 59, RecordLayout.SPEC_EXEC, 0, N, N, N, N, N, N, "res=ret filename=p0");
        d(EventType.EXECVEAT, 322, RecordLayout.SPEC_EXEC, 1, 0, N, N, N, N, N, "res=ret dirfd=a0 pathname=p0");
        d(EventType.CLONE, 56, RecordLayout.SPEC_CLONE, N, N, N, N, N, N, N, "");
        d(EventType.CLONE3, 435, RecordLayout.SPEC_CLONE, N, N, N, N, N, N, N, "");
        d(EventType.FORK, 57, RecordLayout.SPEC_CLONE, N, N, N, N, N, N, N, "");
        d(EventType.VFORK, 58, RecordLayout.SPEC_CLONE, N, N, N, N, N, N, N, "");
        d(EventType.CONNECT, 42, SA, N, N, N, N, N, 1, 2, "res=ret tuple=tuple fd=a0 addr=sa");
        d(EventType.ACCEPT, 43, SR, N, N, N, N, N, N, N, "fd=ret tuple=tuple");
        d(EventType.ACCEPT4, 288, SR, N, N, N, N, N, N, N, "fd=ret tuple=tuple flags=a3");
        d(EventType.BIND, 49, SA, N, N, N, N, N, 1, 2, "res=ret addr=sa fd=a0");
        d(EventType.LISTEN, 50, SA, N, N, N, N, N, N, N, "res=ret fd=a0 backlog=a1");
        d(EventType.SOCKET, 41, SR, N, N, N, N, N, N, N, "fd=ret domain=a0 type=a1 proto=a2");
        d(EventType.SENDTO, 44, SA, N, N, N, N, N, 4, 5, "res=ret fd=a0 size=a2 tuple=tuple");
        // the datagram's named address (slot 4) is the other end of an unconnected socket's tuple
        d(EventType.RECVFROM, 45, SA | RecordLayout.SPEC_LEN_PTR, N, N, N, N, N, 4, 5, "res=ret tuple=tuple fd=a0 size=a2");
        d(EventType.SENDMSG, 46, SA | RecordLayout.SPEC_MSGHDR, N, N, N, N, N, 1, N, "res=ret tuple=tuple fd=a0");
        d(EventType.RECVMSG, 47, SA | RecordLayout.SPEC_MSGHDR, N, N, N, N, N, 1, N, "res=ret tuple=tuple fd=a0");
        d(EventType.CLOSE, 3, 0, N, N, N, N, N, N, N, "res=ret fd=a0");
        // the socket behind oldfd (slot 5), or the kernel's word that it is none: a dup of a file never copies a stale socket
        // dups and fcntl read the socket behind the old fd (or the kernel says it is none: issue #17)
        d(EventType.DUP, 32, SA, N, N, N, N, N, N, N, "res=ret oldfd=a0");
        d(EventType.DUP2, 33, SA, N, N, N, N, N, N, N, "res=ret oldfd=a0 newfd=a1");
        d(EventType.DUP3, 292, SA, N, N, N, N, N, N, N, "res=ret oldfd=a0 newfd=a1 flags=a2");
        d(EventType.UNLINK, 87, 0, 0, N, N, N, N, N, N, "res=ret path=p0");
        d(EventType.UNLINKAT, 263, 0, 1, 0, N, N, N, N, N, "res=ret dirfd=a0 name=p0 flags=a2");
        d(EventType.RENAME, 82, 0, 0, N, 1, N, N, N, N, "res=ret oldpath=p0 newpath=p1");
        d(EventType.RENAMEAT, 264, 0, 1, 0, 3, 2, N, N, N,
                "res=ret olddirfd=a0 oldpath=p0 newdirfd=a2 newpath=p1");
        d(EventType.RENAMEAT2, 316, 0, 1, 0, 3, 2, N, N, N,
                "res=ret olddirfd=a0 oldpath=p0 newdirfd=a2 newpath=p1 flags=a4");
        d(EventType.MKDIR, 83, 0, 0, N, N, N, N, N, N, "res=ret path=p0 mode=a1");
        d(EventType.MKDIRAT, 258, 0, 1, 0, N, N, N, N, N, "res=ret dirfd=a0 path=p0 mode=a2");
        d(EventType.RMDIR, 84, 0, 0, N, N, N, N, N, N, "res=ret path=p0");
        d(EventType.LINK, 86, 0, 0, N, 1, N, N, N, N, "res=ret oldpath=p0 newpath=p1");
        d(EventType.LINKAT, 265, 0, 1, 0, 3, 2, N, N, N,
                "res=ret olddir=a0 oldpath=p0 newdir=a2 newpath=p1 flags=a4");
        d(EventType.SYMLINK, 88, 0, 1, N, N, N, 0, N, N, "res=ret target=s linkpath=p0");
        d(EventType.SYMLINKAT, 266, 0, 2, 1, N, N, 0, N, N, "res=ret target=s linkdirfd=a1 linkpath=p0");
        d(EventType.CHMOD, 90, 0, 0, N, N, N, N, N, N, "res=ret filename=p0 mode=a1");
        d(EventType.FCHMOD, 91, 0, N, N, N, N, N, N, N, "res=ret fd=a0 mode=a1");
        d(EventType.FCHMODAT, 268, 0, 1, 0, N, N, N, N, N, "res=ret dirfd=a0 filename=p0 mode=a2");
        d(EventType.CHOWN, 92, 0, 0, N, N, N, N, N, N, "res=ret path=p0 uid=a1 gid=a2");
        d(EventType.LCHOWN, 94, 0, 0, N, N, N, N, N, N, "res=ret path=p0 uid=a1 gid=a2");
        d(EventType.FCHOWN, 93, 0, N, N, N, N, N, N, N, "res=ret fd=a0 uid=a1 gid=a2");
        d(EventType.FCHOWNAT, 260, 0, 1, 0, N, N, N, N, N,
                "res=ret dirfd=a0 pathname=p0 uid=a2 gid=a3 flags=a4");
        d(EventType.TRUNCATE, 76, 0, 0, N, N, N, N, N, N, "res=ret path=p0 length=a1");
        d(EventType.FTRUNCATE, 77, 0, N, N, N, N, N, N, N, "res=ret fd=a0 length=a1");
        d(EventType.SETUID, 105, 0, N, N, N, N, N, N, N, "res=ret uid=a0");
        d(EventType.SETGID, 106, 0, N, N, N, N, N, N, N, "res=ret gid=a0");
        d(EventType.SETREUID, 113, 0, N, N, N, N, N, N, N, "res=ret ruid=a0 euid=a1");
        d(EventType.SETREGID, 114, 0, N, N, N, N, N, N, N, "res=ret rgid=a0 egid=a1");
        d(EventType.SETRESUID, 117, 0, N, N, N, N, N, N, N, "res=ret ruid=a0 euid=a1 suid=a2");
        d(EventType.SETRESGID, 119, 0, N, N, N, N, N, N, N, "res=ret rgid=a0 egid=a1 sgid=a2");
        d(EventType.CAPSET, 126, RecordLayout.SPEC_CAPS, N, N, N, N, N, N, N,
                "res=ret cap_inheritable=a2 cap_permitted=a3 cap_effective=a4");
        d(EventType.PRCTL, 157, 0, N, N, N, N, 1, N, N, "res=ret option=a0 arg2_str=s arg2_int=a1");
        d(EventType.PTRACE, 101, 0, N, N, N, N, N, N, N, "res=ret request=a0 pid=a1 addr=a2 data=a3");
        d(EventType.KILL, 62, 0, N, N, N, N, N, N, N, "res=ret pid=a0 sig=a1");
        d(EventType.TKILL, 200, 0, N, N, N, N, N, N, N, "res=ret tid=a0 sig=a1");
        d(EventType.TGKILL, 234, 0, N, N, N, N, N, N, N, "res=ret pid=a0 tid=a1 sig=a2");
        d(EventType.UNSHARE, 272, 0, N, N, N, N, N, N, N, "res=ret flags=a0");
        d(EventType.SETNS, 308, 0, N, N, N, N, N, N, N, "res=ret fd=a0 nstype=a1");
        d(EventType.CHROOT, 161, 0, 0, N, N, N, N, N, N, "res=ret path=p0");
        d(EventType.CHDIR, 80, 0, 0, N, N, N, N, N, N, "res=ret path=p0");
        d(EventType.FCHDIR, 81, 0, N, N, N, N, N, N, N, "res=ret fd=a0");
        d(EventType.MEMFD_CREATE, 319, 0, N, N, N, N, 0, N, N, "fd=ret name=s flags=a1");
        d(EventType.INIT_MODULE, 175, 0, N, N, N, N, 2, N, N, "res=ret length=a1 uargs=s");
        d(EventType.FINIT_MODULE, 313, 0, N, N, N, N, 1, N, N, "res=ret fd=a0 uargs=s flags=a2");
        d(EventType.DELETE_MODULE, 176, 0, N, N, N, N, 0, N, N, "res=ret name=s flags=a1");
        d(EventType.BPF, 321, 0, N, N, N, N, N, N, N, "res_or_fd=ret cmd=a0");
        d(EventType.USERFAULTFD, 323, 0, N, N, N, N, N, N, N, "res=ret flags=a0");
        d(EventType.MOUNT, 165, 0, 0, N, 1, N, 2, N, N, "res=ret dev=r0 dir=p1 type=s flags=a3");
        d(EventType.UMOUNT2, 166, 0, 0, N, N, N, N, N, N, "res=ret name=p0 flags=a1");
        // appended (kinds stay as they were): what intruders do besides files, sockets and processes
        d(EventType.SETSID, 112, 0, N, N, N, N, N, N, N, "res=ret");
        d(EventType.SETPGID, 109, 0, N, N, N, N, N, N, N, "res=ret pid=a0 pgid=a1");
        d(EventType.MMAP, 9, 0, N, N, N, N, N, N, N, "res=ret addr=a0 length=a1 prot=a2 flags=a3 fd=a4 offset=a5");
        d(EventType.MPROTECT, 10, 0, N, N, N, N, N, N, N, "res=ret addr=a0 length=a1 prot=a2");
        d(EventType.PIPE, 22, 0, N, N, N, N, N, N, N, "res=ret"); // the two fds are in user memory
        d(EventType.PIPE2, 293, 0, N, N, N, N, N, N, N, "res=ret flags=a1");
        d(EventType.SOCKETPAIR, 53, 0, N, N, N, N, N, N, N, "res=ret domain=a0 type=a1 proto=a2");
        d(EventType.FCNTL, 72, SA, N, N, N, N, N, N, N, "res=ret fd=a0 cmd=a1");
        d(EventType.PIDFD_OPEN, 434, 0, N, N, N, N, N, N, N, "fd=ret pid=a0 flags=a1");
        d(EventType.PIDFD_GETFD, 438, 0, N, N, N, N, N, N, N, "fd=ret pid_fd=a0 target_fd=a1 flags=a2");
        d(EventType.PROCESS_VM_READV, 310, 0, N, N, N, N, N, N, N, "res=ret pid=a0");
        d(EventType.PROCESS_VM_WRITEV, 311, 0, N, N, N, N, N, N, N, "res=ret pid=a0");
        d(EventType.SECCOMP, 317, 0, N, N, N, N, N, N, N, "res=ret op=a0 flags=a1");
        d(EventType.IO_URING_SETUP, 425, 0, N, N, N, N, N, N, N, "res=ret entries=a0");
        d(EventType.IOCTL, 16, 0, N, N, N, N, N, N, N, "res=ret fd=a0 request=a1 argument=a2");
        d(EventType.MKNOD, 133, 0, 0, N, N, N, N, N, N, "res=ret path=p0 mode=a1 dev=a2");
        d(EventType.MKNODAT, 259, 0, 1, 0, N, N, N, N, N, "res=ret dirfd=a0 path=p0 mode=a2 dev=a3");
        d(EventType.KEYCTL, 250, 0, N, N, N, N, N, N, N, "res=ret operation=a0 arg2=a1 arg3=a2 arg4=a3 arg5=a4");
        d(EventType.SENDFILE, 40, 0, N, N, N, N, N, N, N, "res=ret out_fd=a0 in_fd=a1 offset=a2 size=a3");
        d(EventType.SPLICE, 275, 0, N, N, N, N, N, N, N, "res=ret fd_in=a0 fd_out=a2 size=a4 flags=a5");
        d(EventType.CLOSE_RANGE, 436, 0, N, N, N, N, N, N, N, "res=ret first=a0 last=a1 flags=a2");
        d(EventType.IO_URING_ENTER, 426, 0, N, N, N, N, N, N, N, "res=ret fd=a0 to_submit=a1 min_complete=a2 flags=a3");
        // the fd array comes in slot 4 (SPEC2_POLLFDS); ppoll's timeout and sigmask are in user memory
        d(EventType.POLL, 7, 0, N, N, N, N, N, N, N, "res=ret fds=pollfds timeout=a2");
        d(EventType.PPOLL, 271, 0, N, N, N, N, N, N, N, "res=ret fds=pollfds");
    }

    /**
     * Types every process makes many of (a program's start maps its libraries): captured when named (a rule,
     * --events), left out of {@link Selection#all()} so that "everything" stays affordable.
     */
    static final java.util.Set<EventType> HIGH_RATE = java.util.EnumSet.of(EventType.MMAP, EventType.MPROTECT, EventType.IOCTL,
            EventType.POLL, EventType.PPOLL); // every event loop polls
    /** The sensor_spec.flags2 of a syscall (SPEC2_*). */
    static int flags2(Def d) {
        if (d.type().isOpen()) return RecordLayout.SPEC2_FILE_RET; // the opened file's overlayfs layer
        if (d.type() == EventType.POLL || d.type() == EventType.PPOLL) return RecordLayout.SPEC2_POLLFDS; // the fd array
        return 0;
    }

    private static final Def[] GENERIC = new Def[RecordLayout.MAX_SYSCALLS];
    private static final Def[] BY_NR = new Def[RecordLayout.MAX_SYSCALLS];

    static {
        for (Def d : DEFS) BY_NR[d.nr()] = d;
    }

    /** The decoded syscall with this number, or null. */
    static Def byNr(int nr) { return nr >= 0 && nr < BY_NR.length ? BY_NR[nr] : null; }

    /**
     * The generic record of a syscall without a decoder (Falco's generic event): header only, its number in
     * syscall_nr, the six raw arguments and the return value.
     */
    static synchronized Def generic(int nr) {
        Def d = GENERIC[nr];
        if (d == null) {
            String[] sources = {"name", "nr", "a0", "a1", "a2", "a3", "a4", "a5"};
            int[] codes = new int[sources.length];
            for (int i = 0; i < sources.length; i++) codes[i] = code(sources[i]);
            d = GENERIC[nr] = new Def(EventType.SYSCALL, nr, RecordLayout.KIND_GENERIC, 0, N, N, N, N, N, N, N, sources, codes);
        }
        return d;
    }

    private static void d(EventType type, int nr, int flags, int path0, int dirfd0, int path1, int dirfd1, int str,
            int sockaddr, int sockaddrLen, String params) {
        int kind = RecordLayout.KIND_FIRST_SYSCALL + DEFS.size();
        String[] sources = new String[type.paramCount()];
        for (String p : params.trim().split("\\s+")) {
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            int slot = type.slotOf(p.substring(0, eq));
            if (slot < 0) throw new IllegalStateException(type + " has no parameter " + p);
            sources[slot] = p.substring(eq + 1);
        }
        int[] codes = new int[sources.length];
        for (int i = 0; i < sources.length; i++) codes[i] = code(sources[i]);
        Def def = new Def(type, nr, kind, flags, path0, dirfd0, path1, dirfd1, str, sockaddr, sockaddrLen, sources, codes);
        DEFS.add(def);
        BY_TYPE.put(type, def);
        BY_KIND[kind] = def;
    }

    private SyscallTable() {}

    public static List<Def> all() { return Collections.unmodifiableList(DEFS); }

    /** The definition for an event type, or null if the sensor cannot trace it. */
    public static Def of(EventType type) { return BY_TYPE.get(type); }

    static Def byKind(int kind) { return kind >= 0 && kind < BY_KIND.length ? BY_KIND[kind] : null; }

    /** The tracepoint names (without sys_enter_/sys_exit_) of a type. */
    static String syscallName(Def def) {
        if (def.type() == EventType.SYSCALL) return dev.vigil.events.Syscalls.name(def.nr());
        return switch (def.type()) {
            case UMOUNT2 -> "umount";
            default -> def.type().falcoName();
        };
    }
}
