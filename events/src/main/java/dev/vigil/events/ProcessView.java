package dev.vigil.events;

/**
 * A thread and its process, as the process table knows it at the time of an event (Falco's {@code proc.*},
 * {@code thread.*}, {@code user.*}, {@code group.*} fields). Same conventions as {@link EventView}: primitives
 * with {@link EventView#ABSENT}, nullable {@link CharSequence}s, null for unknown related processes.
 */
public interface ProcessView {
    long pid();
    long tid();
    long ppid();
    /** Pid/tid/pgid as seen from the process's own pid namespace. */
    long vpid();
    long vtid();
    long pgid();
    long vpgid();
    /** Session id. */
    long sid();

    /** {@code proc.name}: the command name (comm, at most 15 characters, as the kernel keeps it). */
    CharSequence name();
    /** {@code proc.exe}: the first command-line argument (argv[0]). */
    CharSequence exe();
    /** {@code proc.exepath}: full path of the executable. */
    CharSequence exePath();
    /** {@code proc.args}: the arguments after argv[0], space-separated. */
    CharSequence args();
    /** {@code proc.cmdline}: name and args, space-separated (Falco's definition). */
    CharSequence cmdline();
    CharSequence cwd();

    /** Controlling terminal device number, 0 for none. */
    long tty();
    /** Audit login uid; -1 (4294967295) when not set. */
    long loginUid();
    long uid();
    long gid();
    long euid();
    long egid();
    CharSequence userName();
    CharSequence loginUserName();
    CharSequence groupName();
    CharSequence userHome();
    CharSequence userShell();

    /** Process start time, nanoseconds since the epoch. */
    long startTs();
    long capPermitted();
    long capEffective();
    long capInheritable();

    boolean exeFromMemfd();
    boolean exeUpperLayer();
    boolean exeLowerLayer();
    boolean exeWritable();
    long exeIno();
    /** Executable inode change / modification times, nanoseconds since the epoch, or ABSENT. */
    long exeInoCtime();
    long exeInoMtime();

    int envCount();
    /** Environment entry i as "NAME=value". */
    CharSequence envEntry(int i);
    /** The whole environment, entries separated by a space ({@code proc.env} without argument). */
    CharSequence env();

    /**
     * The open fd with this number, or null when unknown (proc.stdin/stdout/stderr read 0-2, fd.types[N]).
     * Held copies keep the standard three only.
     */
    default FdView fdByNum(long num) { return null; }

    /** Falco's {@code fd.types}: the distinct types of the open fds known, in fd order, as "(file,ipv4)"; null for none. */
    default CharSequence fdTypes() { return null; }

    /** The process's cgroup (v2) path ({@code thread.cgroups}), or null when unknown. */
    default CharSequence cgroup() { return null; }

    /** The parent process, or null when unknown (also for pid 1). */
    ProcessView parent();
    /** The session leader process, or null. */
    ProcessView sessionLeader();
    /** The process group leader in the process's pid namespace, or null. */
    ProcessView vpgidLeader();
}
