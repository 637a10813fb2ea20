package dev.vigil.sensor;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.vigil.containers.ContainerResolver;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The one parser of the sensor's ring records: applies each record to the {@link ProcessTable} (lifecycle,
 * the header's credentials, process group, session and namespaces, the fd effects of syscalls) and hands the
 * selected ones to the consumer as the reused {@link SensorEvent}. Reader thread only.
 */
final class RecordParser {
    /** Vigil's own process: the kernel reports its forks (its children are traced), never delivered. */
    private static final int SELF = (int) ProcessHandle.current().pid();
    private final ProcessTable table;
    private final SensorEvent event = new SensorEvent();
    private final boolean[] deliver = new boolean[EventType.COUNT];
    private final long wallOffset;
    private long num;
    long delivered;
    // per-CPU sequence accounting: received records and the highest sequence seen (+1)
    private final long[] seqReceived = new long[BpfMap.possibleCpus()];
    private final long[] seqNext = new long[BpfMap.possibleCpus()];

    RecordParser(ProcessTable table, ContainerResolver containers, Selection selection, long wallOffset) {
        this.table = table;
        this.wallOffset = wallOffset;
        event.containers = containers;
        event.wallOffset = wallOffset;
        for (EventType t : selection.types()) deliver[t.id()] = true;
    }

    /** Holes between received sequence numbers, per CPU, summed. */
    long sequenceGaps() {
        long m = 0;
        for (int c = 0; c < seqNext.length; c++) m += seqNext[c] - seqReceived[c];
        return m;
    }

    long recordsReceived() {
        long r = 0;
        for (long v : seqReceived) r += v;
        return r;
    }

    /*
     * The hot path is split into small methods on purpose (issue #17): C2 compiles each apart, the common records
     * (a syscall's header and its fd effect) stay in a small onRecord, and a record kind first seen late (a fork, an
     * exec, a credentials change) recompiles the small method it lands in, not one 34 KB body with everything inlined.
     */
    void onRecord(Consumer<? super SensorEvent> consumer, MemorySegment seg, long off, int len) {
        if (len < RecordLayout.DATA) return;
        SensorEvent ev = event;
        ev.reset(seg, off, len);
        int kind = Short.toUnsignedInt(seg.get(JAVA_SHORT_UNALIGNED, off + RecordLayout.KIND));
        ev.kind = kind;
        countSequence(ev);
        if (kind == RecordLayout.KIND_TCP_RESET) {
            onReset(consumer, ev);
            return;
        }
        int pid = ev.pid();
        ProcessEntry p = table.get(pid);
        if (p == null) {
            p = table.getOrCreate(pid);
        } else if (p.exitRecorded && kind == RecordLayout.KIND_PROC_EXIT) {
            return; // a second exit record: two threads of a dying group both saw it dead (sensor.bpf.c sensor_exit)
        }
        applyHeader(ev, p, kind, seg, off);
        ev.process = p;
        ev.def = null;
        EventType type;
        if (kind >= RecordLayout.KIND_FIRST_SYSCALL) { // the common case: a syscall of the selection
            SyscallTable.Def d = SyscallTable.byKind(kind);
            if (d == null) return;
            ev.def = d;
            type = d.type();
            applySyscall(ev, d, p);
        } else {
            type = lifecycle(ev, p, kind, pid, seg, off);
            if (type == null) return;
        }
        ev.type = type;
        ev.num = ++num;
        if (deliver[type.id()] && pid != SELF) { // Vigil's own fork records (of its children) feed the table only
            delivered++;
            consumer.accept(ev);
        }
        if (kind == RecordLayout.KIND_PROC_EXIT) {
            p.exitRecorded = true; // (a sweep may have marked it exited already: this record is still its exit)
            table.onExit(pid, ev.reaper, ev.monotonicTs());
        } else if (type == EventType.CLOSE && ev.ret() == 0) {
            p.removeFd(ev.arg(0));
        }
    }

    private void countSequence(SensorEvent ev) {
        int cpu = ev.cpu();
        if (cpu < seqNext.length) {
            seqReceived[cpu]++;
            long next = ev.seq() + 1;
            if (next > seqNext[cpu]) seqNext[cpu] = next;
        }
    }

    /** The record header's view of its process: ids, credentials, namespaces, parent, comm. */
    private void applyHeader(SensorEvent ev, ProcessEntry p, int kind, MemorySegment seg, long off) {
        p.tid = ev.tid();
        long uid = ev.uid(), euid = ev.euid(), gid = ev.gid(), egid = ev.egid(), loginUid = ev.loginUid(), cgroupId = ev.cgroupId();
        if (p.uid != uid || p.euid != euid || p.gid != gid || p.egid != egid || p.loginUid != loginUid || p.cgroupId != cgroupId) {
            credentialsChanged(p, uid, euid, gid, egid, loginUid, cgroupId);
        }
        p.pidNs = ev.pidNs();
        p.mntNs = ev.mntNs();
        p.netNs = ev.netNs();
        p.vpid = ev.vpid();
        int pgid = ev.pgid(), sid = ev.sid();
        if (p.pgid != pgid || p.sid != sid) {
            p.pgid = pgid; // setsid/setpgid (or a seed that raced one): the leaders a descendant's context names
            p.sid = sid;
            table.generation++;
        }
        p.vpgid = ev.vpgid();
        if (kind != RecordLayout.KIND_PROC_EXIT) {
            int ppid = seg.get(JAVA_INT_UNALIGNED, off + RecordLayout.PPID);
            table.setParent(p, ppid);
        }
        if (kind != RecordLayout.KIND_TASK_RENAME || p.comm == null) {
            updateComm(p, seg, off + RecordLayout.COMM);
        }
    }

    private void credentialsChanged(ProcessEntry p, long uid, long euid, long gid, long egid, long loginUid, long cgroupId) {
        p.uid = uid;
        p.euid = euid;
        p.gid = gid;
        p.egid = egid;
        p.loginUid = loginUid;
        p.cgroupId = cgroupId;
        table.generation++;
    }

    /** Fork, exec, exit, rename and the generic event: the type to deliver, or null for none. */
    private EventType lifecycle(SensorEvent ev, ProcessEntry p, int kind, int pid, MemorySegment seg, long off) {
        return switch (kind) {
            case RecordLayout.KIND_PROC_FORK -> onFork(ev, pid, seg, off);
            case RecordLayout.KIND_PROC_EXEC -> onExec(ev, p, pid, seg, off);
            case RecordLayout.KIND_PROC_EXIT -> {
                ev.reaper = (int) ev.arg(1);
                yield EventType.PROCEXIT;
            }
            case RecordLayout.KIND_TASK_RENAME -> {
                ProcessEntry target = table.get(ev.arg(0));
                String comm = ev.blobString(RecordLayout.SLOT_EXTRA);
                if (target != null && comm != null && ev.arg(0) == ev.arg(1)) target.setComm(comm);
                yield null; // internal: the prctl event (if selected) comes from the syscall
            }
            case RecordLayout.KIND_GENERIC -> {
                int nr = seg.get(JAVA_INT_UNALIGNED, off + RecordLayout.SYSCALL_NR);
                if (nr < 0 || nr >= RecordLayout.MAX_SYSCALLS) yield null;
                ev.def = SyscallTable.generic(nr);
                yield EventType.SYSCALL;
            }
            default -> null;
        };
    }

    private EventType onFork(SensorEvent ev, int pid, MemorySegment seg, long off) {
        int child = (int) ev.arg(1);
        // task->start_time is CLOCK_MONOTONIC (start_boottime is the one counting suspend), as the records'
        // ts_mono: the same offset makes proc.duration their difference, also after a suspend or VM restore
        ProcessEntry c = table.onFork(pid, child, ev.arg(3) + wallOffset);
        c.vpid = ev.arg(5);
        SyscallTable.Def d = SyscallTable.byKind(seg.get(JAVA_INT_UNALIGNED, off + RecordLayout.SYSCALL_NR));
        EventType type = d != null ? d.type() : EventType.CLONE;
        ev.childPid = child;
        ev.cloneFlags = d == null || d.type() == EventType.CLONE3 ? EventView.ABSENT // clone3's are in user memory
                : d.type() == EventType.FORK || d.type() == EventType.VFORK ? 0 : ev.arg(2);
        ev.argv = c.argv;
        ev.cwd = c.cwd;
        ev.exePath = c.exePath;
        return type;
    }

    private EventType onExec(SensorEvent ev, ProcessEntry p, int pid, MemorySegment seg, long off) {
        SyscallTable.Def d = SyscallTable.byKind(seg.get(JAVA_INT_UNALIGNED, off + RecordLayout.SYSCALL_NR));
        EventType type = d != null && d.type() == EventType.EXECVEAT ? EventType.EXECVEAT : EventType.EXECVE;
        int argvLen = ev.blobLen[RecordLayout.SLOT_EXTRA];
        byte[] raw = new byte[argvLen];
        MemorySegment.copy(seg, JAVA_BYTE, ev.blobOff[RecordLayout.SLOT_EXTRA], raw, 0, argvLen);
        ev.argv = ProcessTable.splitNul(raw, argvLen);
        ev.exePath = Paths.exePath(ev.blobString(RecordLayout.SLOT_SOCK));
        ev.cwd = ev.blobString(RecordLayout.SLOT_BASE0);
        ev.filename = ev.path(0); // absolute against the cwd (slot 1), as a failed exec's filename
        table.onExec(pid, p.comm, ev.argv, ev.exePath, ev.cwd);
        int envLen = ev.blobLen[RecordLayout.SLOT_ENV];
        if (envLen > 0) {
            byte[] env = new byte[envLen];
            MemorySegment.copy(seg, JAVA_BYTE, ev.blobOff[RecordLayout.SLOT_ENV], env, 0, envLen);
            p.setEnv(ProcessTable.splitNul(env, envLen));
        } else {
            p.setEnv(null); // the record had no room: read from /proc when first asked
        }
        p.exeFlags = ev.arg(5) & ~0xffffffffL;
        boolean times = ev.blobLen[RecordLayout.SLOT_BASE1] >= 16;
        p.exeCtime = times ? seg.get(JAVA_LONG_UNALIGNED, ev.blobOff[RecordLayout.SLOT_BASE1]) : EventView.ABSENT;
        p.exeMtime = times ? seg.get(JAVA_LONG_UNALIGNED, ev.blobOff[RecordLayout.SLOT_BASE1] + 8) : EventView.ABSENT;
        p.capEffective = ev.arg(0);
        p.capPermitted = ev.arg(1);
        p.capInheritable = ev.arg(2);
        p.tty = ev.arg(3);
        p.exeIno = ev.arg(4);
        return type;
    }

    /** A reset for a closed port: no process (softirq), the fd is the tuple the reset answered. */
    private void onReset(Consumer<? super SensorEvent> consumer, SensorEvent ev) {
        ev.process = null;
        ev.def = null;
        ev.type = EventType.TCP_SEND_RESET;
        ev.num = ++num;
        if (!deliver[EventType.TCP_SEND_RESET.id()] || ev.blobLen[RecordLayout.SLOT_SOCK] < RecordLayout.SOCK.size()) return;
        FdEntry e = new FdEntry(-1, FdType.IPV4, null);
        Sockets.fill(e, ev.seg, ev.blobOff[RecordLayout.SLOT_SOCK], FdView.ROLE_SERVER);
        ev.fd = e;
        delivered++;
        consumer.accept(ev);
    }

    private static void updateComm(ProcessEntry p, MemorySegment seg, long at) {
        // the common case, as two loads: the same 16 bytes as the last record of this process gave
        long lo = seg.get(JAVA_LONG_UNALIGNED, at), hi = seg.get(JAVA_LONG_UNALIGNED, at + 8);
        if (lo == p.commLo && hi == p.commHi && p.comm != null && p.comm == p.commOfWords) return;
        int n = 0;
        while (n < RecordLayout.COMM_LEN && seg.get(JAVA_BYTE, at + n) != 0) n++;
        String cur = p.comm;
        boolean same = cur != null && cur.length() == n;
        for (int i = 0; i < n && same; i++) same = cur.charAt(i) == (char) seg.get(JAVA_BYTE, at + i);
        if (!same) {
            byte[] b = new byte[n];
            MemorySegment.copy(seg, JAVA_BYTE, at, b, 0, n);
            p.setComm(new String(b, StandardCharsets.UTF_8));
        }
        p.commLo = lo;
        p.commHi = hi;
        p.commOfWords = p.comm;
    }

    /** The types applySyscall takes an fd from the fd table for (keep in step with its switch). */
    static final java.util.Set<EventType> FD_TABLE_READERS = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(
            EventType.CONNECT, EventType.BIND, EventType.LISTEN, EventType.SENDTO, EventType.RECVFROM, EventType.SENDMSG,
            EventType.RECVMSG, EventType.DUP, EventType.DUP2, EventType.DUP3, EventType.FCNTL, EventType.CLOSE,
            EventType.FCHMOD, EventType.FCHOWN, EventType.FTRUNCATE, EventType.FCHDIR, EventType.FINIT_MODULE, EventType.IOCTL,
            EventType.SENDFILE, EventType.IO_URING_ENTER, EventType.SPLICE, EventType.POLL, EventType.PPOLL,
            EventType.SYSCALL)); // the generic event: its rules may name any fd argument

    private static boolean hasSock(SensorEvent ev) {
        return ev.hasBlob(RecordLayout.SLOT_SOCK) && ev.blobLen[RecordLayout.SLOT_SOCK] >= RecordLayout.SOCK.size();
    }

    private static boolean kernelSaysNoSocket(SensorEvent ev) {
        return (ev.fileLayer() & (RecordLayout.FD_NOT_SOCK | RecordLayout.FD_CLOSED)) != 0;
    }

    private static boolean isSocket(FdEntry e) {
        return e.type == FdType.IPV4 || e.type == FdType.IPV6 || e.type == FdType.UNIX || e.type == FdType.NETLINK;
    }

    /**
     * The table's entry for {@code fd}, made to agree with what the record's kernel side saw (issue #17): the fd
     * table can be stale where the prefilter dropped the open that reused an fd number, so the kernel's word wins.
     * A socket the table does not know (or holds as something else) gets a fresh entry from the kernel's state; an fd
     * that is not a socket never keeps a socket entry; a closed fd keeps none. Records without the kernel's word
     * (no socket read) leave the table as it is.
     */
    private static FdEntry kernelSocket(SensorEvent ev, ProcessEntry p, long fd) {
        FdEntry e = p.fd(fd);
        if (hasSock(ev)) {
            if (e == null || !isSocket(e)) {
                e = new FdEntry(fd, FdType.IPV4, null);
                Sockets.fill(e, ev.seg, ev.blobOff[RecordLayout.SLOT_SOCK], FdView.ROLE_NONE);
                p.putFd(e);
            }
            return e;
        }
        int word = ev.fileLayer();
        if ((word & RecordLayout.FD_CLOSED) != 0) {
            p.removeFd(fd);
            return null;
        }
        if ((word & RecordLayout.FD_NOT_SOCK) != 0 && e != null && isSocket(e)) {
            p.removeFd(fd);
            return null;
        }
        return e;
    }

    /**
     * The fd effects of a syscall (the fd table) and the fd the event is about. One small method per family, so
     * each compiles on its own and a family first seen late does not recompile the others (see onRecord).
     */
    private static void applySyscall(SensorEvent ev, SyscallTable.Def d, ProcessEntry p) {
        switch (d.type()) {
            case OPEN, OPENAT, OPENAT2, CREAT -> onOpen(ev, d, p);
            case MEMFD_CREATE -> onMemfd(ev, p);
            case SOCKET -> onSocket(ev, p);
            case CONNECT, BIND, LISTEN, SENDTO, RECVFROM, SENDMSG, RECVMSG -> onSocketCall(ev, d, p);
            case ACCEPT, ACCEPT4 -> onAccept(ev, p);
            case DUP, DUP2, DUP3 -> onDup(ev, d, p);
            case FCNTL -> onFcntl(ev, p);
            case CLOSE, FCHMOD, FCHOWN, FTRUNCATE, FINIT_MODULE, IOCTL, SENDFILE, IO_URING_ENTER -> ev.fd = p.fd(ev.arg(0));
            case FCHDIR -> {
                ev.fd = p.fd(ev.arg(0));
                if (ev.ret() == 0 && ev.fd != null && ev.fd.name() != null) p.cwd = ev.fd.name();
            }
            case SPLICE -> ev.fd = p.fd(ev.arg(2)); // the end written to, as sendfile's out_fd
            case CLOSE_RANGE -> {
                if (ev.ret() == 0) p.closeRange(ev.arg(0) & 0xffffffffL, ev.arg(1) & 0xffffffffL, (ev.arg(2) & 4) != 0); // CLOSE_RANGE_CLOEXEC
            }
            case CHDIR -> {
                if (ev.ret() == 0) p.cwd = ev.path(0);
            }
            default -> { }
        }
    }

    private static void onOpen(SensorEvent ev, SyscallTable.Def d, ProcessEntry p) {
        long ret = ev.ret();
        String path = ev.path(0);
        FdEntry e = new FdEntry(ret >= 0 ? ret : -1, FdType.FILE, path);
        e.nameRaw = ev.rawPath(0);
        long flags = d.type() == EventType.CREAT ? 01101 : ev.argLong(d.type().slotOf("flags"));
        e.openFlags = (int) flags;
        e.layer = ev.fileLayer();
        if ((flags & 0200000) != 0) e.type = FdType.DIRECTORY;
        if (ret >= 0) p.putFd(e);
        ev.fd = e;
    }

    private static void onMemfd(SensorEvent ev, ProcessEntry p) {
        long ret = ev.ret();
        if (ret < 0) return;
        String name = ev.blobString(RecordLayout.SLOT_EXTRA);
        FdEntry e = new FdEntry(ret, FdType.MEMFD, "/memfd:" + (name == null ? "" : name));
        e.openFlags = (ev.arg(1) & 1) != 0 ? 02000000 : 0; // MFD_CLOEXEC
        p.putFd(e);
        ev.fd = e;
    }

    private static void onSocket(SensorEvent ev, ProcessEntry p) {
        long ret = ev.ret();
        if (ret < 0) return;
        int domain = (int) ev.arg(0);
        FdType t = domain == Sockets.AF_INET6 ? FdType.IPV6 : domain == Sockets.AF_UNIX ? FdType.UNIX
                : domain == 16 ? FdType.NETLINK : FdType.IPV4;
        FdEntry e = new FdEntry(ret, t, null);
        if (ev.hasBlob(RecordLayout.SLOT_SOCK)) Sockets.fill(e, ev.seg, ev.blobOff[RecordLayout.SLOT_SOCK], FdView.ROLE_NONE);
        e.hasTuple = false;
        e.setName(null);
        e.openFlags = (ev.arg(1) & 02000000) != 0 ? 02000000 : 0;
        p.putFd(e);
        ev.fd = e;
    }

    private static void onSocketCall(SensorEvent ev, SyscallTable.Def d, ProcessEntry p) {
        long fd = ev.arg(0);
        FdEntry e = kernelSocket(ev, p, fd);
        if (e == null && !kernelSaysNoSocket(ev)) {
            e = new FdEntry(fd, FdType.IPV4, null); // (a record without the kernel's word: as before)
            p.putFd(e);
        }
        if (e != null && hasSock(ev)) {
            int role = d.type() == EventType.BIND || d.type() == EventType.LISTEN ? FdView.ROLE_SERVER
                    : e.role != FdView.ROLE_NONE ? e.role : FdView.ROLE_CLIENT;
            Sockets.fill(e, ev, role);
            if (d.type() == EventType.CONNECT && e.type == FdType.UNIX && (e.name() == null || e.name().isEmpty())) {
                CharSequence a = ev.argStr(d.type().slotOf("addr"));
                e.setName(a == null ? "" : a.toString());
            }
        }
        ev.fd = e;
    }

    private static void onAccept(SensorEvent ev, ProcessEntry p) {
        long ret = ev.ret();
        if (ret < 0) return;
        FdEntry e = new FdEntry(ret, FdType.IPV4, null);
        if (ev.hasBlob(RecordLayout.SLOT_SOCK)) Sockets.fill(e, ev.seg, ev.blobOff[RecordLayout.SLOT_SOCK], FdView.ROLE_SERVER);
        p.putFd(e);
        ev.fd = e;
    }

    private static void onDup(SensorEvent ev, SyscallTable.Def d, ProcessEntry p) {
        long ret = ev.ret();
        FdEntry old = kernelSocket(ev, p, ev.arg(0));
        if (ret >= 0 && ret != ev.arg(0)) {
            if (old != null) {
                FdEntry c = old.copyAs(ret);
                c.openFlags = d.type() == EventType.DUP3 && (ev.arg(2) & 02000000) != 0 ? 02000000 : 0;
                p.putFd(c);
                ev.fd = c;
            } else {
                p.removeFd(ret); // a copy of an fd the table does not know: whatever ret held is gone
            }
        } else {
            ev.fd = old;
        }
    }

    private static void onFcntl(SensorEvent ev, ProcessEntry p) {
        long ret = ev.ret();
        FdEntry old = kernelSocket(ev, p, ev.arg(0));
        long cmd = ev.arg(1);
        if ((cmd == 0 || cmd == 1030) && ret >= 0) { // F_DUPFD, F_DUPFD_CLOEXEC: a dup
            if (old != null) {
                FdEntry c = old.copyAs(ret);
                c.openFlags = cmd == 1030 ? 02000000 : 0;
                p.putFd(c);
            } else {
                p.removeFd(ret);
            }
        }
        ev.fd = old;
    }
}
