package dev.vigil.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A named set of flag or enum values that a numeric syscall argument is rendered with (Falco's PT_FLAGS and
 * PT_ENUMFLAGS parameters). Each entry is present in a value {@code v} when {@code (v & mask) == value}: single
 * bits have {@code mask == value}, multi-bit fields (the open access mode, the socket type) carry their own mask,
 * and enums use a full mask so exactly one name matches.
 *
 * <p>Values are Linux x86-64 kernel values as the sensor reads them (not Falco's driver-private PPM_ values);
 * the names are the ones Falco prints and rules test ({@code O_TRUNC}, {@code PTRACE_ATTACH}, {@code S_ISUID}).
 */
public final class FlagSet {
    /** One named flag or enum value. */
    public record Flag(String name, long mask, long value) {
        /** Whether this flag is present in {@code v}. */
        public boolean presentIn(long v) {
            return (v & mask) == value;
        }
    }

    private final String name;
    private final boolean isEnum;
    private final Flag[] flags;

    private FlagSet(String name, boolean isEnum, Flag[] flags) {
        this.name = name;
        this.isEnum = isEnum;
        this.flags = flags;
    }

    public String name() { return name; }

    /** True for enumerations (exactly one name renders), false for bit sets (several names joined by '|'). */
    public boolean isEnum() { return isEnum; }

    public int size() { return flags.length; }

    public Flag flag(int i) { return flags[i]; }

    /** The flag named {@code n} (exact, case-sensitive), or null. */
    public Flag byName(String n) {
        for (Flag f : flags) if (f.name.equals(n)) return f;
        return null;
    }

    /**
     * Appends Falco's rendering of {@code v}: the names present joined by '|', or the decimal value when none
     * is. Allocation-free apart from growing {@code out}.
     */
    public void render(long v, StringBuilder out) {
        int start = out.length();
        for (Flag f : flags) {
            if (f.presentIn(v)) {
                if (out.length() > start) out.append('|');
                out.append(f.name);
                if (isEnum) break;
            }
        }
        if (out.length() == start) out.append(v);
    }

    public String render(long v) {
        StringBuilder sb = new StringBuilder();
        render(v, sb);
        return sb.toString();
    }

    private static FlagSet bits(String name, Object... pairs) {
        List<Flag> l = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            long v = ((Number) pairs[i + 1]).longValue();
            l.add(new Flag((String) pairs[i], v, v));
        }
        return new FlagSet(name, false, l.toArray(Flag[]::new));
    }

    private static FlagSet enumeration(String name, Object... pairs) {
        List<Flag> l = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            long v = ((Number) pairs[i + 1]).longValue();
            l.add(new Flag((String) pairs[i], -1L, v));
        }
        return new FlagSet(name, true, l.toArray(Flag[]::new));
    }

    private static FlagSet withMasks(String name, Flag... flags) {
        return new FlagSet(name, false, flags);
    }

    public static final FlagSet OPEN = withMasks("open",
            new Flag("O_RDONLY", 3, 0), new Flag("O_WRONLY", 3, 1), new Flag("O_RDWR", 3, 2),
            new Flag("O_CREAT", 0100, 0100), new Flag("O_EXCL", 0200, 0200), new Flag("O_NOCTTY", 0400, 0400),
            new Flag("O_TRUNC", 01000, 01000), new Flag("O_APPEND", 02000, 02000),
            new Flag("O_NONBLOCK", 04000, 04000), new Flag("O_DSYNC", 010000, 010000),
            new Flag("O_ASYNC", 020000, 020000), new Flag("O_DIRECT", 040000, 040000),
            new Flag("O_LARGEFILE", 0100000, 0100000), new Flag("O_DIRECTORY", 0200000, 0200000),
            new Flag("O_NOFOLLOW", 0400000, 0400000), new Flag("O_NOATIME", 01000000, 01000000),
            new Flag("O_CLOEXEC", 02000000, 02000000), new Flag("O_SYNC", 04010000, 04010000),
            new Flag("O_PATH", 010000000, 010000000), new Flag("O_TMPFILE", 020200000, 020200000));

    /** Falco's execve exit flags (PPM_EXE_*), same bit values. */
    public static final FlagSet EXE = bits("exe",
            "EXE_WRITABLE", 1, "EXE_UPPER_LAYER", 2, "EXE_FROM_MEMFD", 4, "EXE_LOWER_LAYER", 8);

    public static final FlagSet MODE = bits("mode",
            "S_IXOTH", 01, "S_IWOTH", 02, "S_IROTH", 04, "S_IXGRP", 010, "S_IWGRP", 020, "S_IRGRP", 040,
            "S_IXUSR", 0100, "S_IWUSR", 0200, "S_IRUSR", 0400, "S_ISVTX", 01000, "S_ISGID", 02000,
            "S_ISUID", 04000);

    public static final FlagSet PTRACE_REQUEST = enumeration("ptrace_request",
            "PTRACE_TRACEME", 0, "PTRACE_PEEKTEXT", 1, "PTRACE_PEEKDATA", 2, "PTRACE_PEEKUSR", 3,
            "PTRACE_POKETEXT", 4, "PTRACE_POKEDATA", 5, "PTRACE_POKEUSR", 6, "PTRACE_CONT", 7,
            "PTRACE_KILL", 8, "PTRACE_SINGLESTEP", 9, "PTRACE_GETREGS", 12, "PTRACE_SETREGS", 13,
            "PTRACE_GETFPREGS", 14, "PTRACE_SETFPREGS", 15, "PTRACE_ATTACH", 16, "PTRACE_DETACH", 17,
            "PTRACE_GETFPXREGS", 18, "PTRACE_SETFPXREGS", 19, "PTRACE_SYSCALL", 24,
            "PTRACE_SETOPTIONS", 0x4200, "PTRACE_GETEVENTMSG", 0x4201, "PTRACE_GETSIGINFO", 0x4202,
            "PTRACE_SETSIGINFO", 0x4203, "PTRACE_GETREGSET", 0x4204, "PTRACE_SETREGSET", 0x4205,
            "PTRACE_SEIZE", 0x4206, "PTRACE_INTERRUPT", 0x4207, "PTRACE_LISTEN", 0x4208,
            "PTRACE_PEEKSIGINFO", 0x4209);

    public static final FlagSet SOCKET_FAMILY = enumeration("socket_family",
            "AF_UNSPEC", 0, "AF_UNIX", 1, "AF_INET", 2, "AF_AX25", 3, "AF_IPX", 4, "AF_APPLETALK", 5,
            "AF_INET6", 10, "AF_KEY", 15, "AF_NETLINK", 16, "AF_PACKET", 17, "AF_RDS", 21, "AF_CAN", 29,
            "AF_TIPC", 30, "AF_BLUETOOTH", 31, "AF_ALG", 38, "AF_VSOCK", 40, "AF_XDP", 44);

    public static final FlagSet SOCKET_TYPE = withMasks("socket_type",
            new Flag("SOCK_STREAM", 0xf, 1), new Flag("SOCK_DGRAM", 0xf, 2), new Flag("SOCK_RAW", 0xf, 3),
            new Flag("SOCK_RDM", 0xf, 4), new Flag("SOCK_SEQPACKET", 0xf, 5), new Flag("SOCK_PACKET", 0xf, 10),
            new Flag("SOCK_NONBLOCK", 04000, 04000), new Flag("SOCK_CLOEXEC", 02000000, 02000000));

    public static final FlagSet BPF_CMD = enumeration("bpf_cmd",
            "BPF_MAP_CREATE", 0, "BPF_MAP_LOOKUP_ELEM", 1, "BPF_MAP_UPDATE_ELEM", 2, "BPF_MAP_DELETE_ELEM", 3,
            "BPF_MAP_GET_NEXT_KEY", 4, "BPF_PROG_LOAD", 5, "BPF_OBJ_PIN", 6, "BPF_OBJ_GET", 7,
            "BPF_PROG_ATTACH", 8, "BPF_PROG_DETACH", 9, "BPF_PROG_TEST_RUN", 10, "BPF_PROG_GET_NEXT_ID", 11,
            "BPF_MAP_GET_NEXT_ID", 12, "BPF_PROG_GET_FD_BY_ID", 13, "BPF_MAP_GET_FD_BY_ID", 14,
            "BPF_OBJ_GET_INFO_BY_FD", 15, "BPF_PROG_QUERY", 16, "BPF_RAW_TRACEPOINT_OPEN", 17,
            "BPF_BTF_LOAD", 18, "BPF_BTF_GET_FD_BY_ID", 19, "BPF_TASK_FD_QUERY", 20,
            "BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21, "BPF_MAP_FREEZE", 22, "BPF_BTF_GET_NEXT_ID", 23,
            "BPF_LINK_CREATE", 28, "BPF_LINK_UPDATE", 29, "BPF_LINK_GET_FD_BY_ID", 30, "BPF_ENABLE_STATS", 32,
            "BPF_ITER_CREATE", 33, "BPF_LINK_DETACH", 34, "BPF_PROG_BIND_MAP", 35, "BPF_TOKEN_CREATE", 36);

    public static final FlagSet CLONE = bits("clone",
            "CLONE_VM", 0x100, "CLONE_FS", 0x200, "CLONE_FILES", 0x400, "CLONE_SIGHAND", 0x800,
            "CLONE_PIDFD", 0x1000, "CLONE_PTRACE", 0x2000, "CLONE_VFORK", 0x4000, "CLONE_PARENT", 0x8000,
            "CLONE_THREAD", 0x10000, "CLONE_NEWNS", 0x20000, "CLONE_SYSVSEM", 0x40000, "CLONE_SETTLS", 0x80000,
            "CLONE_PARENT_SETTID", 0x100000, "CLONE_CHILD_CLEARTID", 0x200000, "CLONE_DETACHED", 0x400000,
            "CLONE_UNTRACED", 0x800000, "CLONE_CHILD_SETTID", 0x1000000, "CLONE_NEWCGROUP", 0x2000000,
            "CLONE_NEWUTS", 0x4000000, "CLONE_NEWIPC", 0x8000000, "CLONE_NEWUSER", 0x10000000,
            "CLONE_NEWPID", 0x20000000, "CLONE_NEWNET", 0x40000000, "CLONE_IO", 0x80000000L);

    public static final FlagSet PRCTL_OPTION = enumeration("prctl_option",
            "PR_SET_PDEATHSIG", 1, "PR_GET_PDEATHSIG", 2, "PR_GET_DUMPABLE", 3, "PR_SET_DUMPABLE", 4,
            "PR_GET_KEEPCAPS", 7, "PR_SET_KEEPCAPS", 8, "PR_SET_NAME", 15, "PR_GET_NAME", 16,
            "PR_GET_SECCOMP", 21, "PR_SET_SECCOMP", 22, "PR_CAPBSET_READ", 23, "PR_CAPBSET_DROP", 24,
            "PR_SET_MM", 35, "PR_SET_CHILD_SUBREAPER", 36, "PR_GET_CHILD_SUBREAPER", 37,
            "PR_SET_NO_NEW_PRIVS", 38, "PR_GET_NO_NEW_PRIVS", 39, "PR_CAP_AMBIENT", 47);

    public static final FlagSet MEMFD = bits("memfd",
            "MFD_CLOEXEC", 1, "MFD_ALLOW_SEALING", 2, "MFD_HUGETLB", 4, "MFD_NOEXEC_SEAL", 8, "MFD_EXEC", 0x10);

    public static final FlagSet AT = bits("at",
            "AT_SYMLINK_NOFOLLOW", 0x100, "AT_REMOVEDIR", 0x200, "AT_SYMLINK_FOLLOW", 0x400,
            "AT_NO_AUTOMOUNT", 0x800, "AT_EMPTY_PATH", 0x1000);

    public static final FlagSet MOUNT = bits("mount",
            "MS_RDONLY", 1, "MS_NOSUID", 2, "MS_NODEV", 4, "MS_NOEXEC", 8, "MS_SYNCHRONOUS", 16,
            "MS_REMOUNT", 32, "MS_MANDLOCK", 64, "MS_DIRSYNC", 128, "MS_NOATIME", 1024, "MS_NODIRATIME", 2048,
            "MS_BIND", 4096, "MS_MOVE", 8192, "MS_REC", 16384, "MS_SILENT", 32768, "MS_POSIXACL", 1 << 16,
            "MS_UNBINDABLE", 1 << 17, "MS_PRIVATE", 1 << 18, "MS_SLAVE", 1 << 19, "MS_SHARED", 1 << 20,
            "MS_RELATIME", 1 << 21, "MS_KERNMOUNT", 1 << 22, "MS_I_VERSION", 1 << 23, "MS_STRICTATIME", 1 << 24,
            "MS_LAZYTIME", 1 << 25);

    public static final FlagSet UMOUNT = bits("umount",
            "MNT_FORCE", 1, "MNT_DETACH", 2, "MNT_EXPIRE", 4, "UMOUNT_NOFOLLOW", 8);

    public static final FlagSet SIGNAL = enumeration("signal",
            "SIGHUP", 1, "SIGINT", 2, "SIGQUIT", 3, "SIGILL", 4, "SIGTRAP", 5, "SIGABRT", 6, "SIGBUS", 7,
            "SIGFPE", 8, "SIGKILL", 9, "SIGUSR1", 10, "SIGSEGV", 11, "SIGUSR2", 12, "SIGPIPE", 13,
            "SIGALRM", 14, "SIGTERM", 15, "SIGSTKFLT", 16, "SIGCHLD", 17, "SIGCONT", 18, "SIGSTOP", 19,
            "SIGTSTP", 20, "SIGTTIN", 21, "SIGTTOU", 22, "SIGURG", 23, "SIGXCPU", 24, "SIGXFSZ", 25,
            "SIGVTALRM", 26, "SIGPROF", 27, "SIGWINCH", 28, "SIGIO", 29, "SIGPWR", 30, "SIGSYS", 31);

    public static final FlagSet USERFAULTFD = bits("userfaultfd",
            "UFFD_USER_MODE_ONLY", 1, "O_NONBLOCK", 04000, "O_CLOEXEC", 02000000);

    public static final FlagSet FD_CLOEXEC = bits("cloexec", "O_CLOEXEC", 02000000);

    private static final FlagSet[] ALL = {OPEN, EXE, MODE, PTRACE_REQUEST, SOCKET_FAMILY, SOCKET_TYPE, BPF_CMD,
            CLONE, PRCTL_OPTION, MEMFD, AT, MOUNT, UMOUNT, SIGNAL, USERFAULTFD, FD_CLOEXEC};

    /** The flag set with this name (as used in {@link EventType} parameter specs), or null. */
    public static FlagSet named(String n) {
        for (FlagSet f : ALL) if (f.name.equals(n.toLowerCase(Locale.ROOT))) return f;
        return null;
    }

    @Override
    public String toString() { return name; }
}
