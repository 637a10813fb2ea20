package dev.vigil.sensor;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.FdType;
import dev.vigil.events.IpAddr;
import dev.vigil.events.L4Proto;
import dev.vigil.events.Mount;
import dev.vigil.events.Process;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a capture file written by {@link CaptureWriter}. {@link #open} checks the header and reads the starting
 * process snapshot; {@link #next()} returns the events in order, each with its process context. A truncated
 * or corrupt file delivers every complete event before the damage, then throws a {@link CaptureException}
 * naming the file offset and the stream offset.
 */
public final class CaptureReader implements AutoCloseable {
    /** Containers by cgroup id, from the container records read so far. */
    private final java.util.Map<Long, Container> containers = new java.util.HashMap<>();
    /** Exited processes kept for late references (children's ancestry); the oldest are forgotten past this. */
    static final int MAX_EXITED = 4096;

    private final String name;
    private final CountingInputStream fileIn;
    private final InputStream in;
    private final CaptureWriter.Meta meta;
    private final int version;
    private long lastNum, lastTs, lastClockOffset; // version 3: the previous event's, which deltas add to
    private final long bodyStart;
    private final CRC32C crc = new CRC32C();
    private byte[] body = new byte[1024];
    private long streamOffset;
    private long events, drops, processRecords;
    private boolean ended;
    private final Map<Integer, Node> table = new HashMap<>();
    private final LinkedHashSet<Integer> exited = new LinkedHashSet<>();
    private final List<Process> snapshot;
    private CapturedEvent pending;

    /** A process as last recorded, and its immutable view (rebuilt when it or an ancestor changes). */
    private static final class Node {
        Process.Builder data;
        int pid, ppid;
        long cgroupId;
        String cgroupPath;
        Process built;
        Process builtParent;
    }

    /** Header fields and counts. */
    public record Info(int version, CaptureWriter.Meta meta) {}

    private CaptureReader(String name, InputStream file) throws IOException {
        this.name = name;
        this.fileIn = new CountingInputStream(new BufferedInputStream(file, 1 << 16));
        byte[] magic = new byte[CaptureFormat.MAGIC.length];
        int got = fileIn.readNBytes(magic, 0, magic.length);
        if (got < magic.length || !Arrays.equals(magic, CaptureFormat.MAGIC)) {
            throw headerError("not a Vigil capture (bad magic" + (got < magic.length ? ": file too short" : "") + ")", 0, null);
        }
        byte[] head = new byte[6];
        if (fileIn.readNBytes(head, 0, 6) < 6) throw headerError("truncated header", fileIn.count, null);
        version = (head[0] & 0xff) << 8 | (head[1] & 0xff);
        if (version < CaptureFormat.OLDEST_READABLE || version > CaptureFormat.VERSION) {
            throw headerError("unsupported capture format version " + version + " (this Vigil reads versions "
                    + CaptureFormat.OLDEST_READABLE + " to " + CaptureFormat.VERSION + ")", CaptureFormat.MAGIC.length, null);
        }
        long metaLen = (head[2] & 0xffL) << 24 | (head[3] & 0xff) << 16 | (head[4] & 0xff) << 8 | (head[5] & 0xff);
        if (metaLen > CaptureFormat.MAX_META) {
            throw headerError("corrupt header (metadata length " + metaLen + ")", CaptureFormat.MAGIC.length + 2, null);
        }
        byte[] metaBytes = new byte[(int) metaLen];
        byte[] crcBytes = new byte[4];
        if (fileIn.readNBytes(metaBytes, 0, metaBytes.length) < metaBytes.length
                || fileIn.readNBytes(crcBytes, 0, 4) < 4) {
            throw headerError("truncated header", fileIn.count, null);
        }
        crc.reset();
        crc.update(head);
        crc.update(metaBytes);
        int want = (crcBytes[0] & 0xff) << 24 | (crcBytes[1] & 0xff) << 16 | (crcBytes[2] & 0xff) << 8 | (crcBytes[3] & 0xff);
        if ((int) crc.getValue() != want) throw headerError("corrupt header (checksum mismatch)", CaptureFormat.MAGIC.length, null);
        try {
            CaptureFormat.In m = new CaptureFormat.In(metaBytes, metaBytes.length);
            meta = new CaptureWriter.Meta(m.i64(), m.str(), m.str(), m.str());
        } catch (CaptureFormat.Malformed e) {
            throw headerError("corrupt header (" + e.getMessage() + ")", CaptureFormat.MAGIC.length, null);
        }
        bodyStart = fileIn.count;
        try {
            this.in = new GZIPInputStream(fileIn, 1 << 16);
        } catch (IOException e) {
            throw bodyError("the compressed body does not start (" + describe(e) + ")", e);
        }
        List<Process> snap = new ArrayList<>();
        while (true) {
            CapturedEvent ev = readRecord(snap);
            if (ev != null) {
                pending = ev;
                break;
            }
            if (ended) break;
        }
        snapshot = Collections.unmodifiableList(snap);
    }

    public static CaptureReader open(Path file) throws IOException {
        InputStream s = Files.newInputStream(file);
        try {
            return new CaptureReader(file.toString(), s);
        } catch (RuntimeException | IOException e) {
            s.close();
            throw e;
        }
    }

    /** Reads a capture from a stream ({@code name} is used in error messages). */
    public static CaptureReader open(InputStream in, String name) throws IOException {
        return new CaptureReader(name, in);
    }

    public Info info() { return new Info(version, meta); }

    /** The process table at the start of the capture (and any process first seen before the first event). */
    public List<Process> startingProcesses() { return snapshot; }

    public long eventsRead() { return events; }

    /** The kernel's drop total last recorded in the capture. */
    public long drops() { return drops; }

    /** The next event, or null at the end of a complete capture. */
    public CapturedEvent next() {
        if (pending != null) {
            CapturedEvent e = pending;
            pending = null;
            return e;
        }
        while (!ended) {
            CapturedEvent ev = readRecord(null);
            if (ev != null) return ev;
        }
        return null;
    }

    /** Delivers every event; a damaged file throws after the last complete event was delivered. */
    public long forEach(Consumer<? super CapturedEvent> consumer) {
        long n = 0;
        for (CapturedEvent e = next(); e != null; e = next()) {
            consumer.accept(e);
            n++;
        }
        return n;
    }

    /** Reads one record; returns the event for an event record, else null (snapshot/drops/end records). */
    private CapturedEvent readRecord(List<Process> snap) {
        long at = streamOffset;
        try {
            int tag = in.read();
            if (tag < 0) {
                throw corrupt("truncated: the capture ends without its end record", at, null);
            }
            long len = 0;
            for (int shift = 0; ; shift += 7) {
                int x = in.read();
                if (x < 0) throw new EOFException("end of data inside a record");
                len |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) break;
                if (shift > 28) throw corrupt("corrupt record length", at, null);
            }
            if (len > CaptureFormat.MAX_RECORD) throw corrupt("corrupt record length " + len, at, null);
            if (body.length < len) body = new byte[(int) Math.max(len, body.length * 2L)];
            int l = (int) len;
            if (in.readNBytes(body, 0, l) < l) throw new EOFException("end of data inside a record");
            byte[] c = new byte[4];
            if (in.readNBytes(c, 0, 4) < 4) throw new EOFException("end of data inside a record");
            crc.reset();
            crc.update(tag);
            crc.update(body, 0, l);
            int want = (c[0] & 0xff) | (c[1] & 0xff) << 8 | (c[2] & 0xff) << 16 | (c[3] & 0xff) << 24;
            if ((int) crc.getValue() != want) throw corrupt("corrupt record (checksum mismatch)", at, null);
            streamOffset = at + 1 + varintSize(len) + l + 4;
            CaptureFormat.In r = new CaptureFormat.In(body, l);
            switch (tag) {
                case CaptureFormat.TAG_PROCESS -> {
                    Node n = readProcess(r);
                    processRecords++;
                    if (snap != null) snap.add(fresh(n, 0));
                    return null;
                }
                case CaptureFormat.TAG_EVENT -> {
                    CapturedEvent e = readEvent(r);
                    events++;
                    return e;
                }
                case CaptureFormat.TAG_DROPS -> {
                    drops = r.i64();
                    return null;
                }
                case CaptureFormat.TAG_CONTAINER -> {
                    long cgroupId = r.i64();
                    containers.put(cgroupId, readContainer(r));
                    return null;
                }
                case CaptureFormat.TAG_END -> {
                    long written = r.i64();
                    drops = Math.max(drops, r.i64());
                    if (written != events) {
                        throw corrupt("the end record counts " + written + " events but " + events + " were read", at, null);
                    }
                    // reading on to the end checks the gzip trailer (length and CRC of the whole body)
                    if (in.read() >= 0) throw corrupt("data after the end record", streamOffset, null);
                    ended = true;
                    return null;
                }
                default -> throw corrupt("corrupt record (unknown tag " + tag + ")", at, null);
            }
        } catch (CaptureFormat.Malformed e) {
            throw corrupt("corrupt record (" + e.getMessage() + ")", at, e);
        } catch (EOFException e) {
            throw corrupt("truncated: " + describe(e), at, e);
        } catch (ZipException e) {
            throw corrupt("corrupt compressed data (" + describe(e) + ")", at, e);
        } catch (IOException e) {
            throw corrupt("read failed (" + describe(e) + ")", at, e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) { n++; v >>>= 7; }
        return n;
    }

    private Node readProcess(CaptureFormat.In r) {
        int pid = r.i32();
        Process.Builder b = Process.builder();
        b.pid(pid).tid(r.i32());
        int ppid = r.i32(), pgid = r.i32(), sid = r.i32();
        b.ppid(ppid).pgid(pgid).sid(sid).vpid(r.i64()).leadsGroup(pgid == pid).leadsSession(sid == pid);
        String comm = r.str();
        if (comm != null) b.name(comm);
        int argc = (int) r.varint();
        if (argc < 0 || argc > r.end - r.p) throw new CaptureFormat.Malformed("argv count " + argc);
        String[] argv = new String[argc];
        for (int i = 0; i < argc; i++) argv[i] = r.str();
        b.argv(argv);
        b.exePath(r.str()).cwd(r.str()).tty(r.i64()).loginUid(r.i64()).uid(r.i64()).gid(r.i64()).euid(r.i64())
                .egid(r.i64()).userName(r.str()).groupName(r.str()).loginUserName(r.str()).userHome(r.str())
                .userShell(r.str()).startTs(r.i64()).capPermitted(r.i64()).capEffective(r.i64())
                .capInheritable(r.i64()).exeIno(r.i64());
        int flags = r.u8();
        b.exeFromMemfd((flags & CaptureFormat.PF_MEMFD) != 0);
        Node n = table.get(pid);
        if (n == null) {
            n = new Node();
            table.put(pid, n);
        }
        n.pid = pid;
        n.ppid = ppid;
        n.data = b;
        n.built = null;
        n.cgroupId = r.i64();
        n.cgroupPath = r.str();
        r.i64(); r.i64(); r.i64(); // namespace ids (pid, mnt, net): kept in the file, not in ProcessView
        if (r.p < r.end) { // written since the environment was captured
            int envs = (int) r.varint();
            if (envs < 0 || envs > r.end - r.p) throw new CaptureFormat.Malformed("environment count " + envs);
            String[] env = new String[envs];
            for (int i = 0; i < envs; i++) env[i] = r.str();
            b.env(env);
            b.vpgid(r.i64());
            int x = r.u8();
            b.exeUpperLayer((x & CaptureFormat.PX_UPPER) != 0).exeLowerLayer((x & CaptureFormat.PX_LOWER) != 0)
                    .exeWritable((x & CaptureFormat.PX_WRITABLE) != 0);
            if (r.p < r.end) b.exeInoCtime(r.i64()).exeInoMtime(r.i64());
        }
        if ((flags & CaptureFormat.PF_EXITED) != 0) {
            exited.remove(pid);
            exited.add(pid);
            while (exited.size() > MAX_EXITED) {
                Integer old = exited.removeFirst();
                table.remove(old);
            }
        } else {
            exited.remove(pid);
        }
        return n;
    }

    /** The node's immutable view, rebuilt if it or one of its ancestors changed since it was built. */
    private Process fresh(Node n, int depth) {
        Process parent = null;
        if (depth < 64 && n.pid > 1 && n.ppid != n.pid) {
            Node p = table.get(n.ppid);
            if (p != null) parent = fresh(p, depth + 1);
        }
        if (n.built == null || n.builtParent != parent) {
            n.data.parent(parent);
            n.built = n.data.build();
            n.builtParent = parent;
        }
        return n.built;
    }

    private static Container readContainer(CaptureFormat.In r) {
        Container.Builder c = Container.builder();
        c.id(r.str()).fullId(r.str()).name(r.str()).image(r.str()).imageRepository(r.str()).imageTag(r.str())
                .imageDigest(r.str()).imageId(r.str()).runtime(r.str()).privileged(r.u8() != 0).startTs(r.i64());
        int mounts = (int) r.varint();
        if (mounts < 0 || mounts > 4096) throw new CaptureFormat.Malformed("container with " + mounts + " mounts");
        for (int i = 0; i < mounts; i++) c.mount(new Mount(r.str(), r.str(), r.str(), r.u8() != 0, r.str()));
        int labels = (int) r.varint();
        if (labels < 0 || labels > 65_536) throw new CaptureFormat.Malformed("container with " + labels + " labels");
        for (int i = 0; i < labels; i++) {
            String k = r.str(), v = r.str();
            if (k != null) c.label(k, v);
        }
        if (r.p < r.end) { // written since container.ip and host_* were captured
            c.ip(r.str());
            int h = r.u8();
            c.hostNamespaces((h & 1) != 0, (h & 2) != 0, (h & 4) != 0);
        }
        return c.build();
    }

    private CapturedEvent readEvent(CaptureFormat.In r) {
        int typeId = (int) r.varint();
        EventType type = typeId >= 0 && typeId < EventType.COUNT ? EventType.byId(typeId) : null;
        if (type == null) throw new CaptureFormat.Malformed("unknown event type " + typeId);
        Event.Builder b = Event.builder(type);
        boolean compact = version >= 3;
        long mono, res, cgroupId;
        int pid, tid;
        if (compact) {
            lastNum += r.zigzag();
            lastTs += r.zigzag();
            lastClockOffset += r.zigzag();
            b.num(lastNum).timestamp(lastTs);
            mono = lastTs - lastClockOffset;
            res = r.zigzag();
            pid = (int) r.varint();
            tid = (int) r.varint();
            cgroupId = r.varint();
        } else {
            b.num(r.i64()).timestamp(r.i64());
            mono = r.i64();
            res = r.i64();
            pid = r.i32();
            tid = r.i32();
            cgroupId = r.i64();
        }
        int n = (int) r.varint();
        if (n != type.paramCount()) throw new CaptureFormat.Malformed(type.falcoName() + " with " + n + " parameters");
        long[] longs = new long[n];
        String[] strs = new String[n];
        for (int i = 0; i < n; i++) {
            int f = r.u8();
            longs[i] = (f & 1) == 0 ? EventView.ABSENT : compact ? r.zigzag() : r.i64();
            strs[i] = (f & 2) != 0 ? r.str() : null;
        }
        if (res != EventView.ABSENT) b.res(res);
        for (int i = 0; i < n; i++) {
            String pname = type.param(i).name();
            if (longs[i] != EventView.ABSENT) b.arg(pname, longs[i]);
            if (strs[i] != null) b.arg(pname, strs[i]);
        }
        if (r.u8() != 0) b.fd(readFd(r));
        if (r.p < r.end) { // a poll's fd array, written since fdlist.* (older records end at the fd)
            int nl = (int) r.varint();
            if (nl < 0 || nl > r.end - r.p) throw new CaptureFormat.Malformed("fd list count " + nl);
            long[] nums = new long[nl];
            dev.vigil.events.FdView[] fds = new dev.vigil.events.FdView[nl];
            for (int i = 0; i < nl; i++) {
                nums[i] = r.zigzag();
                if (r.u8() != 0) fds[i] = readFd(r);
            }
            b.fdList(nums, fds);
        }
        Node node = table.get(pid);
        String cgPath = null;
        if (node != null) {
            b.process(fresh(node, 0));
            if (node.cgroupId == cgroupId) cgPath = node.cgroupPath;
        }
        // a cgroup with no container record is the host's (the writer writes one for every other); version 1
        // files have no container records at all: unknown
        Container c = containers.get(cgroupId);
        b.container(c != null ? c : version >= 2 ? Container.HOST : null);
        return new CapturedEvent(b.build(), pid, tid, mono, cgroupId, cgPath);
    }

    private static Fd readFd(CaptureFormat.In r) {
        Fd.Builder b = Fd.builder().num(r.i64());
        String type = r.str();
        String fdName = r.str();
        String raw = r.str();
        String l4 = r.str();
        int role = r.u8();
        int flags = r.u8();
        if ((flags & 2) != 0) {
            long cHi = r.i64(), cLo = r.i64(), sHi = r.i64(), sLo = r.i64();
            int cport = r.i32(), sport = r.i32();
            b.ip(IpAddr.format(cHi, cLo), cport, IpAddr.format(sHi, sLo), sport);
        } else if (fdName != null) {
            b.name(fdName);
        }
        try {
            if (type != null) b.type(FdType.valueOf(type));
            if (l4 != null) b.l4proto(L4Proto.valueOf(l4));
        } catch (IllegalArgumentException e) {
            throw new CaptureFormat.Malformed("unknown fd type " + type + "/" + l4);
        }
        if (raw != null) b.nameRaw(raw);
        b.role(role).connected((flags & 1) != 0).layers((flags & 4) != 0, (flags & 8) != 0).created((flags & 16) != 0).dev(r.i64()).ino(r.i64());
        return b.build();
    }

    private CaptureException headerError(String what, long offset, Throwable cause) {
        return new CaptureException("capture " + name + ": " + what + " at byte offset " + offset, offset, -1, 0, cause);
    }

    private CaptureException bodyError(String what, Throwable cause) {
        return new CaptureException("capture " + name + ": " + what + " at byte offset " + fileIn.count,
                fileIn.count, 0, 0, cause);
    }

    private CaptureException corrupt(String what, long at, Throwable cause) {
        ended = true;
        return new CaptureException("capture " + name + ": " + what + " at byte offset " + fileIn.count
                + " of the file (offset " + at + " of the uncompressed stream, after " + events + " complete events)",
                fileIn.count, at, events, cause);
    }

    @Override
    public void close() throws IOException {
        fileIn.close();
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }

        @Override public boolean markSupported() { return false; }
    }
}
