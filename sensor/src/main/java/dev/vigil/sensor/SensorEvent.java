package dev.vigil.sensor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.vigil.events.ByteSequence;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdView;
import dev.vigil.events.IpAddr;
import dev.vigil.events.ProcessView;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The flyweight {@link EventView} over one ring record: valid only during the consumer's callback (the
 * record's memory is handed back to the kernel afterwards; copy with {@link #snapshot()} to keep it). Numbers
 * are read from the record on demand; text is decoded the first time it is asked for and cached until the
 * next record. One instance per sensor, reused for every record.
 */
public final class SensorEvent implements EventView {
    MemorySegment seg;
    long base;
    int length;
    EventType type;
    SyscallTable.Def def;
    int kind;
    long num;
    long wallOffset;
    ProcessEntry process;
    FdEntry fd;
    /** Set once by the sensor. */
    dev.vigil.containers.ContainerResolver containers;
    private ContainerView container;
    final long[] blobOff = new long[RecordLayout.NBLOBS];
    final int[] blobLen = new int[RecordLayout.NBLOBS];
    private final CharSequence[] texts = new CharSequence[64];
    /** The record (its {@link #stamp}) each slot of {@link #texts} was decoded for: no per-record clearing. */
    private final int[] decodedAt = new int[64];
    private int stamp = 1;
    /** Lifecycle values set by the sensor (exec/fork/exit records). */
    String[] argv;
    String exePath, cwd, filename;
    long cloneFlags = ABSENT;
    int childPid;
    int reaper;

    void reset(MemorySegment seg, long base, int length) {
        this.seg = seg;
        this.base = base;
        this.length = length;
        long off = base + RecordLayout.DATA;
        long end = base + length;
        for (int i = 0; i < RecordLayout.NBLOBS; i++) {
            int l = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, base + RecordLayout.BLOB_LEN + 2L * i));
            if (off + l > end) l = (int) Math.max(0, end - off);
            blobOff[i] = off;
            blobLen[i] = l;
            off += l;
        }
        if (++stamp == 0) { // wrapped (after 2^32 records): no slot may look decoded
            Arrays.fill(decodedAt, 0);
            stamp = 1;
        }
        process = null;
        fd = null;
        container = null;
        argv = null;
        exePath = cwd = filename = null;
        cloneFlags = ABSENT;
    }

    // --- raw header access ---

    public int kind() { return kind; }
    public int pid() { return seg.get(JAVA_INT_UNALIGNED, base + RecordLayout.PID); }
    public int tid() { return seg.get(JAVA_INT_UNALIGNED, base + RecordLayout.TID); }
    public int cpu() { return Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, base + RecordLayout.CPU)); }
    public long seq() { return seg.get(JAVA_LONG_UNALIGNED, base + RecordLayout.SEQ); }
    /** CLOCK_MONOTONIC nanoseconds at the syscall's exit. */
    public long monotonicTs() { return seg.get(JAVA_LONG_UNALIGNED, base + RecordLayout.TS_MONO); }
    public long arg(int i) { return seg.get(JAVA_LONG_UNALIGNED, base + RecordLayout.ARGS + 8L * i); }
    public long ret() { return seg.get(JAVA_LONG_UNALIGNED, base + RecordLayout.RET); }
    public long cgroupId() { return seg.get(JAVA_LONG_UNALIGNED, base + RecordLayout.CGROUP_ID); }
    public long pidNs() { return u32(RecordLayout.PID_NS); }
    public long mntNs() { return u32(RecordLayout.MNT_NS); }
    public long netNs() { return u32(RecordLayout.NET_NS); }
    /** The process's and thread's ids in their own pid namespace. */
    public long vpid() { return u32(RecordLayout.VPID); }
    public long vtid() { return u32(RecordLayout.VTID); }
    /** The process group and session (global ids), and the group as the process's own pid namespace numbers it. */
    public int pgid() { return seg.get(JAVA_INT_UNALIGNED, base + RecordLayout.PGID); }
    public int sid() { return seg.get(JAVA_INT_UNALIGNED, base + RecordLayout.SID); }
    public long vpgid() { return u32(RecordLayout.VPGID); }
    /** An open's file: RecordLayout.FILE_UPPER_LAYER / FILE_LOWER_LAYER on overlayfs, else 0. */
    int fileLayer() { return seg.get(JAVA_INT_UNALIGNED, base + RecordLayout.FILE_LAYER); }
    public long loginUid() { return u32(RecordLayout.LOGINUID); }
    public long uid() { return u32(RecordLayout.UID); }
    public long euid() { return u32(RecordLayout.EUID); }
    public long gid() { return u32(RecordLayout.GID); }
    public long egid() { return u32(RecordLayout.EGID); }
    /** The cgroup path of the process (cgroup v2), or null when unknown. */
    public CharSequence cgroupPath() { return process == null ? null : process.table.cgroups.path(cgroupId(), pid()); }

    private long u32(long field) { return Integer.toUnsignedLong(seg.get(JAVA_INT_UNALIGNED, base + field)); }

    boolean hasBlob(int slot) { return blobLen[slot] > 0; }

    /** A NUL-terminated string blob, without its NUL. */
    String blobString(int slot) {
        int l = blobLen[slot];
        if (l <= 0) return null;
        long at = blobOff[slot];
        int n = 0;
        while (n < l && seg.get(JAVA_BYTE, at + n) != 0) n++;
        byte[] b = new byte[n];
        MemorySegment.copy(seg, JAVA_BYTE, at, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    byte[] blobBytes(int slot) {
        byte[] b = new byte[blobLen[slot]];
        MemorySegment.copy(seg, JAVA_BYTE, blobOff[slot], b, 0, b.length);
        return b;
    }

    /** Path argument k (0 or 1) made absolute against its base directory and normalized, or null. */
    String path(int k) {
        String raw = blobString(2 * k);
        if (raw == null) return null;
        if (raw.startsWith("/")) return Paths.normalize(raw);
        String dir = blobString(2 * k + 1);
        if (dir == null) return raw; // base unknown (bad dirfd): the raw path, as passed
        return Paths.normalize(dir + "/" + raw);
    }

    /** Path argument k as the process passed it. */
    String rawPath(int k) { return blobString(2 * k); }

    // --- EventView ---

    @Override public EventType type() { return type; }
    @Override public long num() { return num; }
    @Override public long timestamp() { return monotonicTs() + wallOffset; }
    @Override public long rawRes() { return ret(); }

    @Override
    public long argLong(int slot) {
        if (def != null && def.type() == type && slot >= 0 && slot < type.paramCount()) {
            int c = def.code(slot);
            if (c == SyscallTable.SRC_NONE) return ABSENT;
            if (c == SyscallTable.SRC_RET) return ret();
            if (c < SyscallTable.SRC_OTHER) return argOfType(slot, arg(c - SyscallTable.SRC_A0));
        }
        String src = source(slot);
        if (src == null) return ABSENT;
        switch (src) {
            case "ret": return ret();
            case "a0", "a1", "a2", "a3", "a4", "a5": return argOfType(slot, arg(src.charAt(1) - '0'));
            case "how.flags": return blobLen[4] >= 8 ? seg.get(JAVA_LONG_UNALIGNED, blobOff[4]) : ABSENT;
            case "how.mode": return blobLen[4] >= 16 ? seg.get(JAVA_LONG_UNALIGNED, blobOff[4] + 8) : ABSENT;
            case "how.resolve": return blobLen[4] >= 24 ? seg.get(JAVA_LONG_UNALIGNED, blobOff[4] + 16) : ABSENT;
            case "child": return childPid;
            case "cloneflags": return cloneFlags;
            case "pid": return pid();
            case "tid": return tid();
            case "ppid": return process == null ? ABSENT : process.ppid;
            case "uid": return uid();
            case "gid": return gid();
            case "loginuid": return loginUid();
            case "tty": return process == null ? ABSENT : process.tty;
            case "capi": return process == null ? ABSENT : process.capInheritable;
            case "capp": return process == null ? ABSENT : process.capPermitted;
            case "cape": return process == null ? ABSENT : process.capEffective;
            case "exeino": return process == null ? ABSENT : process.exeIno;
            case "pgid": return process == null ? ABSENT : process.pgid;
            case "vpgid": return process == null ? ABSENT : process.vpgid();
            case "vpid": return vpid();
            case "vtid": return vtid();
            case "status": return arg(0);
            case "exitret": return (arg(0) >> 8) & 0xff;
            case "exitsig": return arg(0) & 0x7f;
            case "exitcore": return (arg(0) >> 7) & 1;
            case "reaper": return reaper;
            case "nr": return def != null ? def.nr() : ABSENT;
            default: return ABSENT;
        }
    }

    private long argOfType(int slot, long v) {
        return switch (type.param(slot).type()) {
            case FD, PID, INT32 -> (int) v; // C int arguments: sign-extended (AT_FDCWD is -100)
            case UID, GID, UINT32, MODE -> v & 0xffffffffL;
            default -> v;
        };
    }

    @Override
    public CharSequence argStr(int slot) {
        if (slot < 0 || slot >= texts.length) return null;
        if (decodedAt[slot] != stamp) {
            decodedAt[slot] = stamp;
            texts[slot] = text(slot);
        }
        return texts[slot];
    }

    private CharSequence text(int slot) {
        // numbers (the return value, raw arguments) have no text: known without the string switch
        if (def != null && def.type() == type && def.code(slot) != SyscallTable.SRC_OTHER) return null;
        String src = source(slot);
        if (src == null) return null;
        return switch (src) {
            case "p0" -> path(0);
            case "p1" -> path(1);
            case "r0" -> rawPath(0);
            case "s" -> blobString(4);
            case "sa" -> blobLen[4] > 0 ? Sockets.formatSockaddr(seg, blobOff[4], blobLen[4]) : null;
            case "tuple" -> blobLen[5] >= RecordLayout.SOCK.size() ? Sockets.formatTuple(this, role()) : null;
            case "exe" -> argv == null || argv.length == 0 ? null : argv[0];
            case "args" -> argv == null ? null : String.join(" ", Arrays.asList(argv).subList(Math.min(1, argv.length), argv.length));
            case "cwd" -> cwd;
            case "comm" -> process == null ? null : process.comm;
            case "exepath" -> exePath;
            case "filename" -> filename;
            case "name" -> def != null ? dev.vigil.events.Syscalls.name(def.nr()) : null;
            case "pollfds" -> pollFdsText();
            default -> null;
        };
    }

    /** Falco's rendering of a poll's fd array: "FD:TR" each (the fd, its type character or '?', the returned events in hex). */
    private String pollFdsText() {
        int n = fdListSize();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            FdView f = fdListFd(i);
            if (i > 0) sb.append(' ');
            sb.append(fdListNum(i)).append(':').append(f == null || f.type() == null ? '?' : f.type().typeChar())
                    .append(Integer.toHexString(Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, pollFd(i) + RecordLayout.PF_REVENTS))));
        }
        return sb.toString();
    }

    private long pollFd(int i) { return blobOff[RecordLayout.SLOT_EXTRA] + i * RecordLayout.POLLFD.size(); }

    @Override
    public int fdListSize() {
        if (type != EventType.POLL && type != EventType.PPOLL) return 0;
        return (int) Math.min(RecordLayout.POLL_FDS_MAX, blobLen[RecordLayout.SLOT_EXTRA] / RecordLayout.POLLFD.size());
    }

    @Override
    public long fdListNum(int i) {
        return i < 0 || i >= fdListSize() ? ABSENT : seg.get(JAVA_INT_UNALIGNED, pollFd(i) + RecordLayout.PF_FD);
    }

    @Override
    public FdView fdListFd(int i) {
        long n = fdListNum(i);
        return n == ABSENT || n < 0 || process == null ? null : process.fdOfList(n);
    }

    @Override
    public CharSequence argRaw(int slot) {
        String src = source(slot);
        if ("p0".equals(src)) return rawPath(0);
        if ("p1".equals(src)) return rawPath(1);
        return argStr(slot);
    }

    @Override
    public int syscallNr() { return type == EventType.SYSCALL && def != null ? def.nr() : -1; }

    private int role() {
        return type == EventType.ACCEPT || type == EventType.ACCEPT4 || type == EventType.TCP_SEND_RESET ? FdView.ROLE_SERVER
                : FdView.ROLE_CLIENT;
    }

    private String source(int slot) {
        if (type == null || slot < 0 || slot >= type.paramCount()) return null;
        if (def != null && def.type() == type) return def.source(slot);
        return Lifecycle.source(type, slot);
    }

    @Override
    public ByteSequence argBytes(int slot) { return null; }

    @Override public ProcessView process() { return process; }
    @Override public FdView fd() { return fd; }
    /**
     * The container of the event's process, from the resolver by cgroup id and path (a hash lookup, no I/O;
     * {@link dev.vigil.events.Container#HOST} for host processes), or null without a resolver. Cached for this record.
     */
    @Override public ContainerView container() {
        ContainerView c = container;
        if (c == null && containers != null) {
            long cg = cgroupId();
            ProcessEntry p = process;
            // a host cgroup stays host: remembered per process, so host events cost no lookup (and no boxing)
            if (p != null && cg != 0 && p.hostCgroup == cg) return container = p.hostView;
            CharSequence path = cgroupPath();
            // an unknown path is not handed over: the resolver ties a cgroup id to the first path it is given
            if (path == null) return container = dev.vigil.events.Container.HOST;
            c = container = containers.resolve(cg, path);
            if (p != null && cg != 0 && c.isHost()) {
                p.hostView = c;
                p.hostCgroup = cg;
            }
        }
        return c;
    }

    /** The process entry (with the sensor-only fields: cgroup id and path, exited). */
    public ProcessEntry processEntry() { return process; }

    /** An immutable copy that outlives the callback. */
    public dev.vigil.events.Event snapshot() {
        dev.vigil.events.Event.Builder b = dev.vigil.events.Event.builder(type).num(num).timestamp(timestamp())
                .res(rawRes());
        for (int i = 0; i < type.paramCount(); i++) {
            String name = type.param(i).name();
            long v = argLong(i);
            if (v != ABSENT) b.arg(name, v);
            CharSequence s = argStr(i);
            if (s != null) b.arg(name, s);
        }
        if (process != null) b.process(dev.vigil.events.Process.copyOf(process));
        if (fd != null) b.fd(dev.vigil.events.Fd.copyOf(fd));
        int nl = fdListSize();
        if (nl > 0) {
            long[] nums = new long[nl];
            FdView[] fds = new FdView[nl];
            for (int i = 0; i < nl; i++) {
                nums[i] = fdListNum(i);
                FdView f = fdListFd(i);
                fds[i] = f == null ? null : dev.vigil.events.Fd.copyOf(f);
            }
            b.fdList(nums, fds);
        }
        ContainerView c = container();
        if (c != null) b.container(c); // the resolver's views are immutable snapshots of the runtime's answer
        return b.build();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(num).append(" < ").append(type).append(" pid=").append(pid()).append(" tid=").append(tid());
        for (int i = 0; i < type.paramCount(); i++) {
            CharSequence s = argStr(i);
            long v = argLong(i);
            if (s != null) sb.append(' ').append(type.param(i).name()).append('=').append(s);
            else if (v != ABSENT) sb.append(' ').append(type.param(i).name()).append('=').append(v);
        }
        if (fd != null) sb.append(" fd.name=").append(fd.name());
        return sb.toString();
    }

    /** Where the lifecycle types' parameters come from (exec, fork, exit records). */
    static final class Lifecycle {
        private static final java.util.Map<EventType, String[]> MAP = new java.util.EnumMap<>(EventType.class);

        static {
            String exec = "res=ret exe=exe args=args tid=tid pid=pid ptid=ppid cwd=cwd comm=comm tty=tty vpgid=vpgid "
                    + "loginuid=loginuid cap_inheritable=capi cap_permitted=capp cap_effective=cape exe_ino=exeino "
                    + "uid=uid trusted_exepath=exepath pgid=pgid gid=gid filename=filename";
            put(EventType.EXECVE, exec);
            put(EventType.EXECVEAT, exec.replace(" filename=filename", ""));
            String clone = "res=child exe=exe args=args tid=tid pid=pid ptid=ppid cwd=cwd comm=comm flags=cloneflags "
                    + "uid=uid gid=gid vtid=vtid vpid=vpid";
            put(EventType.CLONE, clone);
            put(EventType.CLONE3, clone);
            put(EventType.FORK, clone);
            put(EventType.VFORK, clone);
            put(EventType.PROCEXIT, "status=status ret=exitret sig=exitsig core=exitcore reaper_tid=reaper");
            put(EventType.TCP_SEND_RESET, "tuple=tuple reason=a0");
        }

        private static void put(EventType t, String spec) {
            String[] s = new String[t.paramCount()];
            for (String p : spec.split(" ")) {
                int eq = p.indexOf('=');
                int slot = t.slotOf(p.substring(0, eq));
                if (slot < 0) throw new IllegalStateException(t + " has no parameter " + p);
                s[slot] = p.substring(eq + 1);
            }
            MAP.put(t, s);
        }

        static String source(EventType t, int slot) {
            String[] s = MAP.get(t);
            return s == null ? null : s[slot];
        }
    }
}
