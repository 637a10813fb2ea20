package dev.vigil.sensor;

import dev.vigil.events.EventView;
import dev.vigil.events.ProcessView;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One process (thread group) in the {@link ProcessTable}: the {@link ProcessView} of every event it makes.
 * Mutable and owned by the reader thread; events see its state at the time they are delivered, which (as
 * events are applied in ring order) is its state at the time of the event.
 */
public final class ProcessEntry implements ProcessView {
    /** At most this many fds are tracked per process; beyond it the lowest-numbered stay, the rest are ignored. */
    public static final int MAX_FDS = 4096;

    final ProcessTable table;
    final int pid;
    int tid;
    int ppid;
    int pgid = -1, sid = -1;
    /** The process group in the process's own pid namespace; ABSENT until a record (or /proc) says. */
    long vpgid = EventView.ABSENT;
    String comm;
    long commLo, commHi;  // the record bytes comm was last confirmed from (Sensor.updateComm's fast path)
    String commOfWords;   // the comm those words belong to: another setComm makes them stale
    String[] argv = new String[0];
    String exePath;
    String cwd;
    long tty;
    long loginUid = 0xffffffffL;
    long uid, gid, euid, egid;
    long startTs = EventView.ABSENT;
    long capPermitted, capEffective, capInheritable;
    long exeIno = EventView.ABSENT;
    /** The exec record's {@link RecordLayout#EXE_UPPER_LAYER} etc. */
    long exeFlags;
    /** The executable inode's change and modification times at exec (ns since the epoch), or ABSENT. */
    long exeCtime = EventView.ABSENT, exeMtime = EventView.ABSENT;
    /** "NAME=value" entries of the image's environment; null for a /proc-seeded process until first asked. */
    String[] env;
    private String envJoined;
    long cgroupId;
    long pidNs, mntNs, netNs;
    /** The last cgroup id of this process found to be a host cgroup, and the resolver's answer for it. */
    long hostCgroup;
    dev.vigil.events.ContainerView hostView;
    long vpid = EventView.ABSENT;
    boolean exited;
    /** Its exit record was read (exited can also come from a sweep of /proc, before the record arrives). */
    boolean exitRecorded;
    long exitTs;
    /** Process table generation when seeded from /proc (true) or learned from events (false). */
    boolean fromProc;
    /**
     * Child pids, in the order they were linked. A set: a reaper (init, a subreaper) holds thousands, exited ones
     * included, and every reparenting asked a list whether it had the child already (a scan per exit).
     */
    final Set<Integer> children = new LinkedHashSet<>();
    private Map<Integer, FdEntry> fds;
    private String args, cmdline;

    ProcessEntry(ProcessTable table, int pid) {
        this.table = table;
        this.pid = pid;
        this.tid = pid;
    }

    // --- fd table ---

    FdEntry fd(long num) {
        return fds == null || num < 0 || num > Integer.MAX_VALUE ? null : fds.get((int) num);
    }

    void putFd(FdEntry e) {
        if (fds == null) fds = new HashMap<>();
        if (fds.size() >= MAX_FDS && !fds.containsKey((int) e.num)) return;
        fds.put((int) e.num, e);
    }

    FdEntry removeFd(long num) {
        return fds == null ? null : fds.remove((int) num);
    }

    int fdCount() { return fds == null ? 0 : fds.size(); }

    @Override
    public dev.vigil.events.FdView fdByNum(long num) {
        FdEntry e = fd(num);
        if (e == null && num >= 0 && num < 3 && !exited && !stdioRead[(int) num]) {
            // opened before the sensor saw this process (inherited from a shell that predates it): /proc, once
            stdioRead[(int) num] = true;
            e = ProcFds.read(pid, (int) num);
            if (e != null) putFd(e);
        }
        return e;
    }

    private final boolean[] stdioRead = new boolean[3];

    /**
     * An fd a poll named (fdlist.*): the table's entry, else (a pipe, or a socket made while its syscalls were not
     * traced) what /proc/PID/fd and the net tables say, kept in the table.
     */
    FdEntry fdOfList(long num) {
        FdEntry e = fd(num);
        if (e == null && num >= 0 && num <= Integer.MAX_VALUE && !exited) {
            e = ProcFds.read(pid, (int) num);
            if (e != null) putFd(e);
        }
        return e;
    }

    @Override
    public CharSequence fdTypes() {
        if (fds == null || fds.isEmpty()) return null;
        java.util.LinkedHashSet<String> types = new java.util.LinkedHashSet<>();
        for (Integer n : new java.util.TreeSet<>(fds.keySet())) {
            FdEntry e = fds.get(n);
            if (e.type != null) types.add(e.type.falcoName());
        }
        return "(" + String.join(",", types) + ")";
    }

    @Override
    public CharSequence cgroup() { return table.cgroups.path(cgroupId, pid); }

    /** close_range(first, last): closes the fds in the range, or with cloexec marks them close-on-exec. */
    void closeRange(long first, long last, boolean cloexec) {
        if (fds == null) return;
        if (cloexec) {
            for (FdEntry e : fds.values()) if (e.num >= first && e.num <= last) e.openFlags |= 02000000;
        } else {
            fds.values().removeIf(e -> e.num >= first && e.num <= last);
        }
    }

    void copyFdsFrom(ProcessEntry parent) {
        if (parent.fds == null) return;
        fds = new HashMap<>(parent.fds.size() * 2);
        for (FdEntry e : parent.fds.values()) fds.put((int) e.num, e.copyAs(e.num));
    }

    void clearFds() {
        fds = null;
    }

    /** Drops close-on-exec fds on exec (O_CLOEXEC = 02000000). */
    void closeOnExec() {
        if (fds != null) fds.values().removeIf(e -> (e.openFlags & 02000000) != 0);
    }

    void setArgv(String[] argv) {
        this.argv = argv;
        this.args = null;
        this.cmdline = null;
    }

    void setEnv(String[] env) {
        this.env = env;
        this.envJoined = null;
    }

    private String[] envEntries() {
        String[] e = env;
        if (e == null) e = env = table == null ? new String[0] : table.environOf(this);
        return e;
    }

    void setComm(String comm) {
        if (!comm.equals(this.comm)) {
            this.comm = comm;
            this.cmdline = null;
            if (table != null) table.generation++;
        }
    }

    // --- ProcessView ---

    @Override public long pid() { return pid; }
    @Override public long tid() { return tid; }
    @Override public long ppid() { return ppid; }
    /**
     * The pid in the process's own pid namespace (Falco's proc.vpid: 1 for a container's first process). Every
     * record carries it; a process known only from the /proc seed reads it once from /proc/PID/status (NSpid)
     * the first time it is asked for.
     */
    @Override public long vpid() {
        long v = vpid;
        if (v == EventView.ABSENT) v = vpid = table == null ? pid : table.vpidOf(this);
        return v;
    }
    @Override public long vtid() { return vpid(); }
    @Override public long pgid() { return pgid; }
    @Override public long vpgid() { return vpgid == EventView.ABSENT ? pgid : vpgid; }
    @Override public long sid() { return sid; }
    @Override public CharSequence name() { return comm; }
    @Override public CharSequence exe() { return argv.length > 0 ? argv[0] : null; }
    @Override public CharSequence exePath() { return exePath; }

    @Override
    public CharSequence args() {
        if (args == null) {
            args = argv.length <= 1 ? "" : String.join(" ", java.util.Arrays.asList(argv).subList(1, argv.length));
        }
        return args;
    }

    @Override
    public CharSequence cmdline() {
        if (cmdline == null && comm != null) {
            CharSequence a = args();
            cmdline = a.isEmpty() ? comm : comm + " " + a;
        }
        return cmdline;
    }

    @Override public CharSequence cwd() { return cwd; }
    @Override public long tty() { return tty; }
    @Override public long loginUid() { return loginUid; }
    @Override public long uid() { return uid; }
    @Override public long gid() { return gid; }
    @Override public long euid() { return euid; }
    @Override public long egid() { return egid; }
    @Override public CharSequence userName() { return table.users.userName(uid); }
    @Override public CharSequence loginUserName() { return loginUid == 0xffffffffL ? null : table.users.userName(loginUid); }
    @Override public CharSequence groupName() { return table.users.groupName(gid); }
    @Override public CharSequence userHome() { return table.users.home(uid); }
    @Override public CharSequence userShell() { return table.users.shell(uid); }
    @Override public long startTs() { return startTs; }
    @Override public long capPermitted() { return capPermitted; }
    @Override public long capEffective() { return capEffective; }
    @Override public long capInheritable() { return capInheritable; }

    /** The executable came from a memfd: its path is the memfd's ("memfd:NAME", as Falco writes it; see Paths.exePath). */
    @Override public boolean exeFromMemfd() { return exePath != null && exePath.startsWith("memfd:"); }
    @Override public boolean exeUpperLayer() { return (exeFlags & RecordLayout.EXE_UPPER_LAYER) != 0; }
    @Override public boolean exeLowerLayer() { return (exeFlags & RecordLayout.EXE_LOWER_LAYER) != 0; }
    @Override public boolean exeWritable() { return (exeFlags & RecordLayout.EXE_WRITABLE) != 0; }
    @Override public long exeIno() { return exeIno; }
    @Override public long exeInoCtime() { return exeCtime; }
    @Override public long exeInoMtime() { return exeMtime; }
    @Override public int envCount() { return envEntries().length; }
    @Override public CharSequence envEntry(int i) { return envEntries()[i]; }
    @Override public CharSequence env() {
        if (envJoined == null) envJoined = String.join(" ", envEntries());
        return envJoined;
    }

    @Override
    public ProcessView parent() {
        return pid <= 1 ? null : table.get(ppid);
    }

    @Override
    public ProcessView sessionLeader() {
        return sid <= 0 ? null : table.get(sid);
    }

    @Override
    public ProcessView vpgidLeader() {
        return pgid <= 0 ? null : table.get(pgid);
    }

    public boolean exited() { return exited; }

    public long cgroupId() { return cgroupId; }

    public CharSequence cgroupPath() { return table.cgroups.path(cgroupId, pid); }

    public List<String> argv() { return List.of(argv); }

    @Override
    public String toString() {
        return pid + "(" + comm + ") ppid=" + ppid + (exited ? " exited" : "");
    }
}
