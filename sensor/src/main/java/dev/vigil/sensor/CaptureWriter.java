package dev.vigil.sensor;

import dev.vigil.events.ContainerView;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.FdView;
import dev.vigil.events.Mount;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a capture file ({@link CaptureFormat}): the header, the process table's starting snapshot, then each
 * event given to {@link #write(SensorEvent)} (call it from the sensor's consumer, on the reader thread), and
 * an end record at {@link #close()}. Each event's process (and its changed ancestors) is written again before
 * the event whenever it changed since it was last written, so a replay sees every event with the process
 * context it had. Compression is gzip at speed level 1, sync-flushed at least once a second.
 */
public final class CaptureWriter implements AutoCloseable {
    /** Processes remembered as written; past this the memory is cleared (they are then simply written again). */
    static final int MAX_REMEMBERED = 65_536;
    private static final long FLUSH_NANOS = 1_000_000_000L;

    private final OutputStream raw;
    private final GZIPOutputStream gz;
    private final int version;
    private long lastNum, lastTs, lastClockOffset; // version 3: events are written as deltas from these
    private final DataOutputStream out;
    private final CaptureFormat.Out buf = new CaptureFormat.Out();
    private final CRC32C crc = new CRC32C();
    private final CaptureFormat.Out frame = new CaptureFormat.Out();
    private final PidMap<Seen> seen = new PidMap<>();
    private ProcessEntry lastChainOf;   // the process whose chain was written last, at this table generation
    private long lastChainGeneration = -1;
    private Seen lastChainSeen;
    private final ArrayDeque<ProcessEntry> chain = new ArrayDeque<>();
    private long events, processRecords, containerRecords, drops;
    private final Map<Long, ContainerView> containersWritten = new HashMap<>();
    private long lastContainerCgroup;
    private ContainerView lastContainer;
    private long lastFlush = System.nanoTime();
    private boolean closed;

    /** What a process looked like when last written (string fields compared by reference: they are replaced, never mutated). */
    private static final class Seen {
        ProcessEntry entry;
        String comm, exePath, cwd;
        String[] argv;
        long uid, gid, euid, egid, loginUid, capE, cgroupId, tty, vpgid, exeFlags, exeCtime, exeMtime;
        String[] env;
        int ppid, pgid, sid;
        boolean exited;

        boolean same(ProcessEntry p) {
            return entry == p && comm == p.comm && exePath == p.exePath && cwd == p.cwd && argv == p.argv
                    && uid == p.uid && gid == p.gid && euid == p.euid && egid == p.egid && loginUid == p.loginUid
                    && capE == p.capEffective && cgroupId == p.cgroupId && tty == p.tty && ppid == p.ppid
                    && pgid == p.pgid && sid == p.sid && exited == p.exited && vpgid == p.vpgid && env == p.env
                    && exeFlags == p.exeFlags && exeMtime == p.exeMtime && exeCtime == p.exeCtime;
        }

        void set(ProcessEntry p) {
            entry = p; comm = p.comm; exePath = p.exePath; cwd = p.cwd; argv = p.argv; uid = p.uid; gid = p.gid;
            euid = p.euid; egid = p.egid; loginUid = p.loginUid; capE = p.capEffective; cgroupId = p.cgroupId;
            tty = p.tty; ppid = p.ppid; pgid = p.pgid; sid = p.sid; exited = p.exited; vpgid = p.vpgid; env = p.env;
            exeFlags = p.exeFlags; exeCtime = p.exeCtime; exeMtime = p.exeMtime;
        }
    }

    /** Header fields of a capture. */
    public record Meta(long startWallNanos, String host, String kernel, String selection) {
        public static Meta now(Selection selection) {
            String host = "", kernel = "";
            try { host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(); } catch (IOException ignored) { }
            try { kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(); } catch (IOException ignored) { }
            StringBuilder sel = new StringBuilder();
            if (selection != null) {
                for (EventType t : selection.types()) sel.append(sel.isEmpty() ? "" : ",").append(t.falcoName());
            }
            return new Meta(System.currentTimeMillis() * 1_000_000L, host, kernel, sel.toString());
        }
    }

    /** Creates {@code file} and writes the header and the starting snapshot of {@code table} (may be null). */
    public static CaptureWriter create(Path file, Meta meta, ProcessTable table) throws IOException {
        return new CaptureWriter(Files.newOutputStream(file), meta, table);
    }

    public CaptureWriter(OutputStream sink, Meta meta, ProcessTable table) throws IOException {
        this(sink, meta, table, CaptureFormat.VERSION);
    }

    /** Writes an older format version (2: fixed-width event fields), for the tests that prove it still reads. */
    CaptureWriter(OutputStream sink, Meta meta, ProcessTable table, int version) throws IOException {
        if (version < 2 || version > CaptureFormat.VERSION) throw new IllegalArgumentException("version " + version);
        this.version = version;
        this.raw = sink;
        DataOutputStream h = new DataOutputStream(sink);
        h.write(CaptureFormat.MAGIC);
        buf.reset();
        buf.i64(meta.startWallNanos());
        buf.str(meta.host());
        buf.str(meta.kernel());
        buf.str(meta.selection());
        byte[] head = new byte[6 + buf.n];
        head[0] = (byte) (version >> 8);
        head[1] = (byte) version;
        head[2] = (byte) (buf.n >>> 24); head[3] = (byte) (buf.n >>> 16); head[4] = (byte) (buf.n >>> 8); head[5] = (byte) buf.n;
        System.arraycopy(buf.b, 0, head, 6, buf.n);
        h.write(head);
        crc.reset();
        crc.update(head);
        h.writeInt((int) crc.getValue());
        h.flush();
        gz = new GZIPOutputStream(sink, 1 << 16, true) {
            { def.setLevel(Deflater.BEST_SPEED); }
        };
        out = new DataOutputStream(new BufferedOutputStream(gz, 1 << 16));
        if (table != null) {
            for (ProcessEntry p : table.entries()) writeProcess(p);
        }
    }

    /** Appends one event (with its process context). Thread: the sensor's reader thread. */
    public void write(SensorEvent ev) {
        try {
            ProcessEntry p = ev.processEntry();
            if (p != null) writeChangedChain(p);
            ContainerView c = ev.container();
            if (c != null && !c.isHost()) writeContainerIfChanged(ev.cgroupId(), c);
            buf.reset();
            EventType t = ev.type();
            buf.varint(t.id());
            boolean compact = version >= 3;
            if (compact) {
                // deltas from the previous event: a few bytes where fixed fields took 52; deflate, which
                // bounded the capture's rate, then has a third of the input
                long num = ev.num(), ts = ev.timestamp(), clockOffset = ts - ev.monotonicTs();
                buf.zigzag(num - lastNum);
                buf.zigzag(ts - lastTs);
                buf.zigzag(clockOffset - lastClockOffset);
                lastNum = num;
                lastTs = ts;
                lastClockOffset = clockOffset;
                buf.zigzag(ev.rawRes());
                buf.varint(Integer.toUnsignedLong(ev.pid()));
                buf.varint(Integer.toUnsignedLong(ev.tid()));
                buf.varint(ev.cgroupId());
            } else {
                buf.i64(ev.num());
                buf.i64(ev.timestamp());
                buf.i64(ev.monotonicTs());
                buf.i64(ev.rawRes());
                buf.i32(ev.pid());
                buf.i32(ev.tid());
                buf.i64(ev.cgroupId());
            }
            int n = t.paramCount();
            buf.varint(n);
            for (int i = 0; i < n; i++) {
                long v = ev.argLong(i);
                CharSequence s = ev.argStr(i);
                buf.u8((v != EventView.ABSENT ? 1 : 0) | (s != null ? 2 : 0));
                if (v != EventView.ABSENT) {
                    if (compact) buf.zigzag(v);
                    else buf.i64(v);
                }
                if (s != null) buf.str(s);
            }
            FdView fd = ev.fd();
            if (fd == null) {
                buf.u8(0);
            } else {
                buf.u8(1);
                writeFd(fd);
            }
            int nl = ev.fdListSize();
            if (nl > 0) { // a poll's fd array (fdlist.*): past the fd, only when there is one (CaptureFormat)
                buf.varint(nl);
                for (int i = 0; i < nl; i++) {
                    buf.zigzag(ev.fdListNum(i));
                    FdView f = ev.fdListFd(i);
                    buf.u8(f == null ? 0 : 1);
                    if (f != null) writeFd(f);
                }
            }
            record(CaptureFormat.TAG_EVENT);
            events++;
            if ((events & 1023) == 0) flushIfDue(); // a clock read per event was 5% of a flood's reader time
        } catch (IOException e) {
            throw new UncheckedIOException("capture: " + e.getMessage(), e);
        }
    }

    /**
     * Sync-flushes the compressor if the last flush is a second old, so a capture cut short keeps all but the
     * last second. Called every 1024 events and by the reader between polls (Sensor#run's idle hook): a quiet
     * capture is flushed on time too. Thread: the writer's.
     */
    public void flushIfDue() {
        long now = System.nanoTime();
        if (now - lastFlush < FLUSH_NANOS || closed) return;
        lastFlush = now;
        try {
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException("capture: " + e.getMessage(), e);
        }
    }

    /** Records that the kernel dropped events (from a {@link Sensor.DropListener}): total so far and new. */
    public void writeDrops(long total, long newDrops) {
        try {
            buf.reset();
            buf.i64(total);
            buf.i64(newDrops);
            record(CaptureFormat.TAG_DROPS);
            drops = total;
        } catch (IOException e) {
            throw new UncheckedIOException("capture: " + e.getMessage(), e);
        }
    }

    /** Forces everything written so far to the file (a sync flush of the compressor). */
    public void flush() throws IOException {
        out.flush();
        gz.flush();
    }

    public long eventsWritten() { return events; }

    public long processRecordsWritten() { return processRecords; }

    /** The resolver hands out a new object when a container's metadata changes: compared by reference. */
    private void writeContainerIfChanged(long cgroupId, ContainerView c) throws IOException {
        if (cgroupId == lastContainerCgroup && c == lastContainer) return; // the common case, no map lookup
        lastContainerCgroup = cgroupId;
        lastContainer = c;
        if (containersWritten.get(cgroupId) == c) return;
        if (containersWritten.size() >= MAX_REMEMBERED) containersWritten.clear();
        containersWritten.put(cgroupId, c);
        buf.reset();
        buf.i64(cgroupId);
        buf.str(c.id());
        buf.str(c.fullId());
        buf.str(c.name());
        buf.str(c.image());
        buf.str(c.imageRepository());
        buf.str(c.imageTag());
        buf.str(c.imageDigest());
        buf.str(c.imageId());
        buf.str(c.runtime());
        buf.u8(c.privileged() ? 1 : 0);
        buf.i64(c.startTs());
        buf.varint(c.mountCount());
        for (int i = 0; i < c.mountCount(); i++) {
            Mount m = c.mount(i);
            buf.str(m.source());
            buf.str(m.dest());
            buf.str(m.mode());
            buf.u8(m.readWrite() ? 1 : 0);
            buf.str(m.propagation());
        }
        Map<String, String> labels = c.labels();
        buf.varint(labels.size());
        for (Map.Entry<String, String> e : labels.entrySet()) {
            buf.str(e.getKey());
            buf.str(e.getValue());
        }
        // appended (a reader finds them when the record goes on): the IP and the host namespaces shared
        buf.str(c.ip());
        buf.u8((c.hostPid() ? 1 : 0) | (c.hostNetwork() ? 2 : 0) | (c.hostIpc() ? 4 : 0));
        record(CaptureFormat.TAG_CONTAINER);
        containerRecords++;
    }

    public long containerRecordsWritten() { return containerRecords; }

    private void writeChangedChain(ProcessEntry p) throws IOException {
        // the same process as the last event's, and no process changed since: only p itself can differ
        if (p == lastChainOf && p.table.generation == lastChainGeneration) {
            Seen s = lastChainSeen; // what was written of p (even if the map was cleared since, it was written)
            if (s != null && s.entry == p && s.same(p)) return;
        }
        lastChainOf = p;
        lastChainGeneration = p.table.generation;
        chain.clear();
        ProcessEntry cur = p;
        for (int depth = 0; cur != null && depth < 64; depth++) {
            chain.push(cur); // ancestors end up first
            if (cur.pid <= 1 || cur.ppid == cur.pid) break;
            cur = cur.table.get(cur.ppid);
        }
        while (!chain.isEmpty()) {
            ProcessEntry e = chain.pop();
            Seen s = seen.get(e.pid);
            if (s == null || !s.same(e)) writeProcess(e);
        }
        lastChainSeen = seen.get(p.pid);
    }

    private void writeProcess(ProcessEntry p) throws IOException {
        int envCount = p.envCount(); // first: loads a seeded process's environment, which Seen remembers
        Seen s = seen.get(p.pid);
        if (s == null) {
            if (seen.size() >= MAX_REMEMBERED) seen.clear();
            s = new Seen();
            seen.put(p.pid, s);
        }
        s.set(p);
        buf.reset();
        buf.i32(p.pid);
        buf.i32(p.tid);
        buf.i32(p.ppid);
        buf.i32(p.pgid);
        buf.i32(p.sid);
        buf.i64(p.vpid());
        buf.str(p.comm);
        String[] argv = p.argv;
        buf.varint(argv.length);
        for (String a : argv) buf.str(a);
        buf.str(p.exePath);
        buf.str(p.cwd);
        buf.i64(p.tty);
        buf.i64(p.loginUid);
        buf.i64(p.uid);
        buf.i64(p.gid);
        buf.i64(p.euid);
        buf.i64(p.egid);
        buf.str(p.userName());
        buf.str(p.groupName());
        buf.str(p.loginUserName());
        buf.str(p.userHome());
        buf.str(p.userShell());
        buf.i64(p.startTs);
        buf.i64(p.capPermitted);
        buf.i64(p.capEffective);
        buf.i64(p.capInheritable);
        buf.i64(p.exeIno);
        buf.u8((p.exited ? CaptureFormat.PF_EXITED : 0) | (p.exeFromMemfd() ? CaptureFormat.PF_MEMFD : 0));
        buf.i64(p.cgroupId);
        buf.str(p.cgroupId == 0 ? null : p.cgroupPath());
        buf.i64(p.pidNs);
        buf.i64(p.mntNs);
        buf.i64(p.netNs);
        // appended in format 3 (a reader finds them when the record goes on): environment, vpgid, exe layer
        buf.varint(envCount);
        for (int i = 0; i < envCount; i++) buf.str(p.envEntry(i).toString());
        buf.i64(p.vpgid());
        buf.u8((p.exeUpperLayer() ? CaptureFormat.PX_UPPER : 0) | (p.exeLowerLayer() ? CaptureFormat.PX_LOWER : 0)
                | (p.exeWritable() ? CaptureFormat.PX_WRITABLE : 0));
        buf.i64(p.exeCtime);
        buf.i64(p.exeMtime);
        record(CaptureFormat.TAG_PROCESS);
        processRecords++;
    }

    private void writeFd(FdView fd) {
        buf.i64(fd.num());
        buf.str(fd.type() == null ? null : fd.type().name());
        buf.str(fd.name());
        buf.str(fd.nameRaw());
        buf.str(fd.l4proto() == null ? null : fd.l4proto().name());
        buf.u8(fd.role());
        buf.u8((fd.connected() ? 1 : 0) | (fd.hasTuple() ? 2 : 0) | (fd.upperLayer() ? 4 : 0) | (fd.lowerLayer() ? 8 : 0) | (fd.created() ? 16 : 0));
        if (fd.hasTuple()) {
            buf.i64(fd.clientIpHi());
            buf.i64(fd.clientIpLo());
            buf.i64(fd.serverIpHi());
            buf.i64(fd.serverIpLo());
            buf.i32(fd.clientPort());
            buf.i32(fd.serverPort());
        }
        buf.i64(fd.dev());
        buf.i64(fd.ino());
    }

    private void record(byte tag) throws IOException {
        if (closed) throw new IOException("capture writer is closed");
        crc.reset();
        crc.update(tag);
        crc.update(buf.b, 0, buf.n);
        // one write per record (the stream's per-call locking and bounds checks were a tenth of a capture's time)
        frame.reset();
        frame.u8(tag);
        frame.varint(buf.n);
        frame.bytes(buf.b, buf.n);
        frame.i32((int) crc.getValue());
        out.write(frame.b, 0, frame.n);
    }

    /** Writes the end record and closes the file. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            buf.reset();
            buf.i64(events);
            buf.i64(drops);
            record(CaptureFormat.TAG_END);
            closed = true;
            out.flush();
            gz.finish();
            raw.flush();
        } finally {
            closed = true;
            raw.close();
        }
    }
}
