package dev.vigil.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The event types Vigil knows, with Falco's {@code evt.type} names and the parameters of each (libscap's
 * names, enter and exit parameters merged into one record, as the sensor emits one record per syscall at
 * exit). The ordinal is the event type id used for indexing ({@link #id()}), so a flyweight can map a record
 * kind to a type with one array lookup.
 *
 * <p>Parameter specs are written {@code name:TYPE} or {@code name:FLAGS(set)} / {@code name:ENUM(set)}.
 */
public enum EventType {
    OPEN("open", "fd:FD name:FSPATH flags:FLAGS(open) mode:MODE dev:UINT32 ino:UINT64"),
    OPENAT("openat", "fd:FD dirfd:FD name:FSRELPATH flags:FLAGS(open) mode:MODE dev:UINT32 ino:UINT64"),
    OPENAT2("openat2", "fd:FD dirfd:FD name:FSRELPATH flags:FLAGS(open) mode:MODE resolve:UINT32 dev:UINT32 ino:UINT64"),
    CREAT("creat", "fd:FD name:FSPATH mode:MODE dev:UINT32 ino:UINT64"),
    OPEN_BY_HANDLE_AT("open_by_handle_at", "fd:FD mountfd:FD flags:FLAGS(open) path:FSPATH dev:UINT32 ino:UINT64"),
    EXECVE("execve", "res:ERRNO exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID cwd:FSPATH comm:CHARBUF "
            + "env:CHARBUF tty:UINT32 vpgid:PID loginuid:UID flags:FLAGS(exe) cap_inheritable:UINT64 "
            + "cap_permitted:UINT64 cap_effective:UINT64 exe_ino:UINT64 exe_ino_ctime:ABSTIME "
            + "exe_ino_mtime:ABSTIME uid:UID trusted_exepath:FSPATH pgid:PID gid:GID filename:FSPATH"),
    EXECVEAT("execveat", "res:ERRNO dirfd:FD pathname:FSRELPATH exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID "
            + "cwd:FSPATH comm:CHARBUF env:CHARBUF tty:UINT32 vpgid:PID loginuid:UID flags:FLAGS(exe) "
            + "cap_inheritable:UINT64 cap_permitted:UINT64 cap_effective:UINT64 exe_ino:UINT64 "
            + "exe_ino_ctime:ABSTIME exe_ino_mtime:ABSTIME uid:UID trusted_exepath:FSPATH pgid:PID gid:GID"),
    CLONE("clone", "res:PID exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID cwd:FSPATH comm:CHARBUF "
            + "flags:FLAGS(clone) uid:UID gid:GID vtid:PID vpid:PID"),
    CLONE3("clone3", "res:PID exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID cwd:FSPATH comm:CHARBUF "
            + "flags:FLAGS(clone) uid:UID gid:GID vtid:PID vpid:PID"),
    FORK("fork", "res:PID exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID cwd:FSPATH comm:CHARBUF "
            + "flags:FLAGS(clone) uid:UID gid:GID vtid:PID vpid:PID"),
    VFORK("vfork", "res:PID exe:CHARBUF args:CHARBUF tid:PID pid:PID ptid:PID cwd:FSPATH comm:CHARBUF "
            + "flags:FLAGS(clone) uid:UID gid:GID vtid:PID vpid:PID"),
    PROCEXIT("procexit", "status:ERRNO ret:ERRNO sig:ENUM(signal) core:UINT32 reaper_tid:PID"),
    CONNECT("connect", "res:ERRNO tuple:SOCKTUPLE fd:FD addr:SOCKADDR"),
    ACCEPT("accept", "fd:FD tuple:SOCKTUPLE queuepct:UINT32 queuelen:UINT32 queuemax:UINT32"),
    ACCEPT4("accept4", "fd:FD tuple:SOCKTUPLE queuepct:UINT32 queuelen:UINT32 queuemax:UINT32 flags:FLAGS(socket_type)"),
    BIND("bind", "res:ERRNO addr:SOCKADDR fd:FD"),
    LISTEN("listen", "res:ERRNO fd:FD backlog:INT32"),
    SOCKET("socket", "fd:FD domain:ENUM(socket_family) type:FLAGS(socket_type) proto:UINT32"),
    SOCKETPAIR("socketpair", "res:ERRNO fd1:FD fd2:FD domain:ENUM(socket_family) type:FLAGS(socket_type) proto:UINT32"),
    SENDTO("sendto", "res:ERRNO data:BYTEBUF fd:FD size:UINT32 tuple:SOCKTUPLE"),
    RECVFROM("recvfrom", "res:ERRNO data:BYTEBUF tuple:SOCKTUPLE fd:FD size:UINT32"),
    SENDMSG("sendmsg", "res:ERRNO data:BYTEBUF tuple:SOCKTUPLE fd:FD size:UINT32"),
    RECVMSG("recvmsg", "res:ERRNO size:UINT32 data:BYTEBUF tuple:SOCKTUPLE msgcontrol:BYTEBUF fd:FD"),
    SHUTDOWN("shutdown", "res:ERRNO fd:FD how:UINT32"),
    CLOSE("close", "res:ERRNO fd:FD"),
    DUP("dup", "res:FD oldfd:FD"),
    DUP2("dup2", "res:FD oldfd:FD newfd:FD"),
    DUP3("dup3", "res:FD oldfd:FD newfd:FD flags:FLAGS(cloexec)"),
    FCNTL("fcntl", "res:FD fd:FD cmd:UINT32"),
    UNLINK("unlink", "res:ERRNO path:FSPATH"),
    UNLINKAT("unlinkat", "res:ERRNO dirfd:FD name:FSRELPATH flags:FLAGS(at)"),
    RENAME("rename", "res:ERRNO oldpath:FSPATH newpath:FSPATH"),
    RENAMEAT("renameat", "res:ERRNO olddirfd:FD oldpath:FSRELPATH newdirfd:FD newpath:FSRELPATH"),
    RENAMEAT2("renameat2", "res:ERRNO olddirfd:FD oldpath:FSRELPATH newdirfd:FD newpath:FSRELPATH flags:UINT32"),
    MKDIR("mkdir", "res:ERRNO path:FSPATH mode:MODE"),
    MKDIRAT("mkdirat", "res:ERRNO dirfd:FD path:FSRELPATH mode:MODE"),
    RMDIR("rmdir", "res:ERRNO path:FSPATH"),
    LINK("link", "res:ERRNO oldpath:FSPATH newpath:FSPATH"),
    LINKAT("linkat", "res:ERRNO olddir:FD oldpath:FSRELPATH newdir:FD newpath:FSRELPATH flags:FLAGS(at)"),
    SYMLINK("symlink", "res:ERRNO target:CHARBUF linkpath:FSPATH"),
    SYMLINKAT("symlinkat", "res:ERRNO target:CHARBUF linkdirfd:FD linkpath:FSRELPATH"),
    CHMOD("chmod", "res:ERRNO filename:FSPATH mode:MODE"),
    FCHMOD("fchmod", "res:ERRNO fd:FD mode:MODE"),
    FCHMODAT("fchmodat", "res:ERRNO dirfd:FD filename:FSRELPATH mode:MODE"),
    CHOWN("chown", "res:ERRNO path:FSPATH uid:UID gid:GID"),
    LCHOWN("lchown", "res:ERRNO path:FSPATH uid:UID gid:GID"),
    FCHOWN("fchown", "res:ERRNO fd:FD uid:UID gid:GID"),
    FCHOWNAT("fchownat", "res:ERRNO dirfd:FD pathname:FSRELPATH uid:UID gid:GID flags:FLAGS(at)"),
    TRUNCATE("truncate", "res:ERRNO path:FSPATH length:UINT64"),
    FTRUNCATE("ftruncate", "res:ERRNO fd:FD length:UINT64"),
    SETUID("setuid", "res:ERRNO uid:UID"),
    SETGID("setgid", "res:ERRNO gid:GID"),
    SETREUID("setreuid", "res:ERRNO ruid:UID euid:UID"),
    SETREGID("setregid", "res:ERRNO rgid:GID egid:GID"),
    SETRESUID("setresuid", "res:ERRNO ruid:UID euid:UID suid:UID"),
    SETRESGID("setresgid", "res:ERRNO rgid:GID egid:GID sgid:GID"),
    SETPGID("setpgid", "res:ERRNO pid:PID pgid:PID"),
    SETSID("setsid", "res:PID"),
    CAPSET("capset", "res:ERRNO cap_inheritable:UINT64 cap_permitted:UINT64 cap_effective:UINT64"),
    PRCTL("prctl", "res:ERRNO option:ENUM(prctl_option) arg2_str:CHARBUF arg2_int:INT64"),
    PTRACE("ptrace", "res:ERRNO addr:UINT64 data:UINT64 request:ENUM(ptrace_request) pid:PID"),
    KILL("kill", "res:ERRNO pid:PID sig:ENUM(signal)"),
    TKILL("tkill", "res:ERRNO tid:PID sig:ENUM(signal)"),
    TGKILL("tgkill", "res:ERRNO pid:PID tid:PID sig:ENUM(signal)"),
    UNSHARE("unshare", "res:ERRNO flags:FLAGS(clone)"),
    SETNS("setns", "res:ERRNO fd:FD nstype:FLAGS(clone)"),
    CHROOT("chroot", "res:ERRNO path:FSPATH"),
    CHDIR("chdir", "res:ERRNO path:FSPATH"),
    FCHDIR("fchdir", "res:ERRNO fd:FD"),
    PIVOT_ROOT("pivot_root", "res:ERRNO new_root:FSPATH put_old:FSPATH"),
    MEMFD_CREATE("memfd_create", "fd:FD name:CHARBUF flags:FLAGS(memfd)"),
    INIT_MODULE("init_module", "res:ERRNO img:BYTEBUF length:UINT64 uargs:CHARBUF"),
    FINIT_MODULE("finit_module", "res:ERRNO fd:FD uargs:CHARBUF flags:UINT32"),
    DELETE_MODULE("delete_module", "res:ERRNO name:CHARBUF flags:UINT32"),
    BPF("bpf", "res_or_fd:FD cmd:ENUM(bpf_cmd)"),
    USERFAULTFD("userfaultfd", "res:FD flags:FLAGS(userfaultfd)"),
    MOUNT("mount", "res:ERRNO dev:FSPATH dir:FSPATH type:CHARBUF flags:FLAGS(mount)"),
    UMOUNT("umount", "res:ERRNO name:FSPATH"),
    UMOUNT2("umount2", "res:ERRNO name:FSPATH flags:FLAGS(umount)"),
    MPROTECT("mprotect", "res:ERRNO addr:UINT64 length:UINT64 prot:UINT32"),
    MMAP("mmap", "res:UINT64 addr:UINT64 length:UINT64 prot:UINT32 flags:UINT32 fd:FD offset:UINT64"),
    PIPE("pipe", "res:ERRNO fd1:FD fd2:FD ino:UINT64"),
    PIPE2("pipe2", "res:ERRNO fd1:FD fd2:FD ino:UINT64 flags:FLAGS(open)"),
    EVENTFD("eventfd", "res:FD initval:UINT64 flags:UINT32"),
    INOTIFY_INIT("inotify_init", "res:FD flags:UINT32"),
    TIMERFD_CREATE("timerfd_create", "res:FD clockid:UINT32 flags:UINT32"),
    SIGNALFD("signalfd", "res:FD fd:FD mask:UINT32 flags:UINT32"),
    EPOLL_CREATE("epoll_create", "res:FD size:INT32"),
    IO_URING_SETUP("io_uring_setup", "res:FD entries:UINT32 flags:UINT32"),
    PIDFD_OPEN("pidfd_open", "fd:FD pid:PID flags:UINT32"),
    PIDFD_GETFD("pidfd_getfd", "fd:FD pid_fd:FD target_fd:FD flags:UINT32"),
    PROCESS_VM_READV("process_vm_readv", "res:INT64 pid:PID data:BYTEBUF"),
    PROCESS_VM_WRITEV("process_vm_writev", "res:INT64 pid:PID data:BYTEBUF"),
    SECCOMP("seccomp", "res:ERRNO op:UINT64 flags:UINT64"),
    READ("read", "res:ERRNO data:BYTEBUF fd:FD size:UINT32"),
    WRITE("write", "res:ERRNO data:BYTEBUF fd:FD size:UINT32"),
    /**
     * Vigil's own: a TCP reset the kernel sent for a segment no socket took (a connection attempt to a closed port
     * of this host). No process made it; fd.sip/fd.sport are this host's closed port, fd.cip/fd.cport the sender.
     */
    TCP_SEND_RESET("tcp_send_reset", "tuple:SOCKTUPLE reason:UINT32"),
    // appended (ids are ordinals: captures keep theirs)
    /**
     * Falco's generic event: a syscall the sensor has no decoder for, captured because a rule names it in
     * evt.type. {@code evt.type} is the syscall's name (ID); the six raw arguments and the return value come too.
     */
    SYSCALL("syscall", "ID:CHARBUF nativeID:UINT32 arg0:UINT64 arg1:UINT64 arg2:UINT64 arg3:UINT64 arg4:UINT64 arg5:UINT64"),
    IOCTL("ioctl", "res:ERRNO fd:FD request:UINT64 argument:UINT64"),
    MKNOD("mknod", "res:ERRNO path:FSPATH mode:MODE dev:UINT32"),
    MKNODAT("mknodat", "res:ERRNO dirfd:FD path:FSRELPATH mode:MODE dev:UINT32"),
    KEYCTL("keyctl", "res:INT64 operation:UINT32 arg2:INT32 arg3:UINT64 arg4:UINT64 arg5:UINT64"),
    SENDFILE("sendfile", "res:INT64 out_fd:FD in_fd:FD offset:UINT64 size:UINT64"),
    SPLICE("splice", "res:INT64 fd_in:FD fd_out:FD size:UINT64 flags:UINT32"),
    CLOSE_RANGE("close_range", "res:ERRNO first:UINT32 last:UINT32 flags:UINT32"),
    IO_URING_ENTER("io_uring_enter", "res:INT64 fd:FD to_submit:UINT32 min_complete:UINT32 flags:UINT32"),
    /**
     * Vigil's own: a connection or packet the network policy denied (verdict DROPPED) or, in audit mode, would have
     * denied (AUDIT); from the policy engine's flow records, not the sensor. direction is EGRESS or INGRESS; the
     * tuple is client->server (fd.cip/fd.cport the connecting side); policy names the policy that decided (a deny
     * rule, or the policies whose default deny it was), rule its position (FILE:LINE:COL, empty for a default deny),
     * reason Hubble's drop reason (POLICY_DENIED, POLICY_DENY).
     */
    NETPOL_DENY("netpol_deny", "verdict:CHARBUF direction:CHARBUF tuple:SOCKTUPLE policy:CHARBUF rule:CHARBUF "
            + "reason:CHARBUF"),
    /**
     * Vigil's own: a process enforcement decision (EnforcementPolicy), or a tamper report (someone signalled or
     * ptraced the agent: outcome "tamper", target the agent's pid, action the signal). Not captured by the sensor: the
     * enforcer hands each decision to the rules engine, so a rule can alert on one ({@code evt.type = enforcement and
     * evt.arg.outcome = killed}). outcome: denied, killed, signalled, posted, monitored, tamper; hook: exec, open,
     * connect, bind, ptrace, setuid, bpf, module_load.
     */
    ENFORCEMENT("enforcement", "outcome:CHARBUF hook:CHARBUF policy:CHARBUF rule:CHARBUF action:CHARBUF "
            + "enforced_by:CHARBUF path:FSPATH addr:CHARBUF port:UINT32 target:UINT32"),
    /**
     * poll and ppoll at exit: fds renders the fd array as Falco does ("FD:TR" each: the fd, its type character,
     * the returned events in hex); fdlist.* name the fds (the first 16) from the process's fd table.
     */
    POLL("poll", "res:ERRNO fds:CHARBUF timeout:INT64"),
    PPOLL("ppoll", "res:ERRNO fds:CHARBUF timeout:RELTIME sigmask:UINT64");

    private final String falcoName;
    private final Param[] params;

    EventType(String falcoName, String spec) {
        this.falcoName = falcoName;
        this.params = parseSpec(spec);
    }

    private static Param[] parseSpec(String spec) {
        List<Param> out = new ArrayList<>();
        for (String p : spec.trim().split("\\s+")) {
            int colon = p.indexOf(':');
            String name = p.substring(0, colon);
            String t = p.substring(colon + 1);
            FlagSet fs = null;
            int paren = t.indexOf('(');
            if (paren >= 0) {
                fs = FlagSet.named(t.substring(paren + 1, t.length() - 1));
                if (fs == null) throw new IllegalStateException("unknown flag set in " + p);
                t = t.substring(0, paren);
            }
            ParamType pt = ParamType.valueOf(t);
            if (pt == ParamType.MODE) fs = FlagSet.MODE;
            out.add(new Param(name, pt, fs));
        }
        return out.toArray(Param[]::new);
    }

    /** Falco's {@code evt.type} name, e.g. {@code openat}. */
    public String falcoName() { return falcoName; }

    /** Dense id in [0, {@link #COUNT}); the ordinal. */
    public int id() { return ordinal(); }

    public int paramCount() { return params.length; }

    public Param param(int slot) { return params[slot]; }

    /** The slot of the parameter named {@code name}, or -1. */
    public int slotOf(String name) {
        for (int i = 0; i < params.length; i++) if (params[i].name().equals(name)) return i;
        return -1;
    }

    /** True for the open family, whose {@code flags} drive {@code evt.is_open_read/write/exec}. */
    public boolean isOpen() {
        return this == OPEN || this == OPENAT || this == OPENAT2 || this == CREAT || this == OPEN_BY_HANDLE_AT;
    }

    /**
     * Falco's {@code evt.category} of this type: file, net, process, memory, signal, ipc, io_read, io_write,
     * io_other or other (the generic event's is "other", as in libsinsp).
     */
    public String category() {
        return switch (this) {
            case OPEN, OPENAT, OPENAT2, CREAT, OPEN_BY_HANDLE_AT, CLOSE, DUP, DUP2, DUP3, FCNTL, UNLINK, UNLINKAT, RENAME,
                 RENAMEAT, RENAMEAT2, MKDIR, MKDIRAT, RMDIR, LINK, LINKAT, SYMLINK, SYMLINKAT, CHMOD, FCHMOD, FCHMODAT,
                 CHOWN, LCHOWN, FCHOWN, FCHOWNAT, TRUNCATE, FTRUNCATE, CHROOT, CHDIR, FCHDIR, MEMFD_CREATE, MOUNT,
                 UMOUNT, UMOUNT2, MKNOD, MKNODAT, CLOSE_RANGE, INOTIFY_INIT, EVENTFD, TIMERFD_CREATE, SIGNALFD,
                 EPOLL_CREATE, USERFAULTFD, PIDFD_GETFD -> "file";
            case CONNECT, ACCEPT, ACCEPT4, BIND, LISTEN, SOCKET, SHUTDOWN, TCP_SEND_RESET, NETPOL_DENY -> "net";
            case SOCKETPAIR, PIPE, PIPE2 -> "ipc";
            case EXECVE, EXECVEAT, CLONE, CLONE3, FORK, VFORK, PROCEXIT, SETUID, SETGID, SETREUID, SETREGID, SETRESUID,
                 SETRESGID, SETPGID, SETSID, CAPSET, PRCTL, PTRACE, UNSHARE, SETNS, PIVOT_ROOT, SECCOMP, PIDFD_OPEN,
                 PROCESS_VM_READV, PROCESS_VM_WRITEV, INIT_MODULE, FINIT_MODULE, DELETE_MODULE, BPF, KEYCTL -> "process";
            case MMAP, MPROTECT -> "memory";
            case KILL, TKILL, TGKILL -> "signal";
            case READ, RECVFROM, RECVMSG -> "io_read";
            case WRITE, SENDTO, SENDMSG, SENDFILE, SPLICE -> "io_write";
            case IOCTL, IO_URING_SETUP, IO_URING_ENTER -> "io_other";
            case POLL, PPOLL -> "wait"; // libscap's EC_WAIT
            case SYSCALL, ENFORCEMENT -> "other"; // an enforcement decision is Vigil's own, about any hook
        };
    }

    public static final int COUNT = values().length;
    /**
     * Match ids: what evt.type conditions and the rule index select on. The types' own ids, then one per syscall
     * number for the generic event ({@link #matchIdOf(int)}), so {@code evt.type=getpid} is one array lookup too.
     */
    public static final int MATCH_IDS = COUNT + Syscalls.MAX;

    /** The match id of the generic event of syscall {@code nr}. */
    public static int matchIdOf(int nr) { return COUNT + nr; }

    private static final EventType[] BY_ID = values();
    private static final Map<String, EventType> BY_NAME = new HashMap<>();

    static {
        for (EventType t : BY_ID) BY_NAME.put(t.falcoName, t);
    }

    /** The type with this Falco name, or null. */
    public static EventType byName(String name) { return BY_NAME.get(name); }

    public static EventType byId(int id) { return BY_ID[id]; }

    @Override
    public String toString() { return falcoName; }
}
