package dev.vigil.sensor;


import dev.vigil.containers.ContainerResolver;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.KernelClock;
import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.ringbuf.RecordHandler;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * The sensor: loads bpf/sensor.bpf.c, attaches the lifecycle tracepoints and the syscall tracepoints of a
 * {@link Selection}, and delivers each record as a {@link SensorEvent} (an {@link EventView} valid during the
 * callback) after applying it to the {@link ProcessTable}. One reader thread calls {@link #run}; {@link #stop}
 * and the drop counters may be used from any thread.
 */
public final class Sensor implements AutoCloseable {
    static final String OBJECT = "/bpf/sensor.bpf.o";
    private static final Path TRACEFS_SYSCALLS = Path.of("/sys/kernel/tracing/events/syscalls");
    /** Reader sleep: bounds the delay from syscall to delivery. */
    public static final int POLL_INTERVAL_MS = 2;

    private final BpfObject object;
    private final RingBuffer ring;
    private final BpfMap drops;
    private final Selection selection;
    private final ProcessTable table;
    private final ContainerResolver containers;
    private final RecordParser parser;
    private volatile boolean stopping;
    private long lastSweep;
    private long lastDropTotal;
    private long lastDropReport;
    private DropListener dropListener = r -> { };

    /** Called (rate-limited to once a second) on the reader thread when the kernel counted new drops. */
    @FunctionalInterface
    public interface DropListener {
        void onDrops(DropReport report);
    }

    /** Drops since start: per record kind (summed over CPUs) and the total; {@code newDrops} since the last report. */
    public record DropReport(long total, long newDrops, long[] perKind, long[][] perKindPerCpu) {
        /** The event type a kind stands for, or null for lifecycle kinds. */
        public static String kindName(int kind) {
            return switch (kind) {
                case RecordLayout.KIND_PROC_EXEC -> "exec";
                case RecordLayout.KIND_PROC_FORK -> "fork";
                case RecordLayout.KIND_PROC_EXIT -> "procexit";
                case RecordLayout.KIND_TASK_RENAME -> "rename";
                case RecordLayout.KIND_TCP_RESET -> "tcp_send_reset";
                default -> {
                    SyscallTable.Def d = SyscallTable.byKind(kind);
                    yield d == null ? "kind" + kind : d.type().falcoName();
                }
            };
        }
    }

    /**
     * Options that are not the selection. {@code containers} answers {@link SensorEvent#container()}; the sensor
     * owns it and closes it with itself (default: {@link ContainerResolver#identityOnly()}, ids from cgroup paths,
     * no runtime asked).
     */
    /**
     * 32 MiB: at start the reader runs cold (interpreted, then compiling) for a few hundred ms, and a flood of
     * captured syscalls from one core then backs up ~13 MiB (measured: a failing-openat flood right after
     * /healthz filled a 16 MiB ring and dropped 40-120k records; 32 MiB peaked at 41% with none). RSS grows
     * by about as much (vigil run: 143 -> 173 MB).
     */
    public static final int DEFAULT_RING_BYTES = 32 << 20;

    /**
     * How selected syscalls are hooked. TRACEPOINTS (the default): the syscalls/sys_exit_X tracepoint of each
     * selected syscall, so a syscall nobody asked for runs no program (it still takes the kernel's
     * syscall-tracing slow path, as under any syscall tracer). RAW: one program on the raw sys_exit
     * tracepoint that filters by syscall number in the kernel: ~95-125 ns cheaper per captured syscall
     * (no per-syscall perf record before the program; the registers are an argument) and ~55-65 ns dearer
     * for every syscall it does not capture, and one link to attach instead of one per syscall. RAW pays
     * off when the captured syscalls are most of the workload's (bench/syscalls/run.sh, BENCHMARKS.md).
     * AUTO (the default): TRACEPOINTS, unless a selected syscall has no tracepoint on this kernel (init_module and
     * finit_module without CONFIG_MODULES): the raw hook then runs at every syscall's exit anyway, so it reports
     * every selected syscall, and the per-syscall perf record before each captured syscall's program is saved
     * (issue #17: a failing open, a connect).
     */
    public enum SyscallHook {
        TRACEPOINTS, RAW, AUTO;

        /** "tracepoints", "raw" or "auto", as flags and config files spell it. */
        public static SyscallHook parse(String s) {
            return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "tracepoints", "tracepoint" -> TRACEPOINTS;
                case "raw" -> RAW;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("unknown syscall hook '" + s + "' (tracepoints, raw or auto)");
            };
        }
    }

    public record Options(int ringBytes, int maxExited, long graceNanos, boolean seedFromProc, Path procRoot,
                          ContainerResolver containers, SyscallHook syscallHook) {
        public Options {
            if (syscallHook == null) syscallHook = SyscallHook.AUTO;
        }

        public static Options defaults() {
            return new Options(DEFAULT_RING_BYTES, ProcessTable.DEFAULT_MAX_EXITED, ProcessTable.DEFAULT_GRACE_NANOS, true,
                    Path.of("/proc"), null, SyscallHook.AUTO);
        }

        /** Without a resolver: {@link ContainerResolver#identityOnly()} is used. */
        public Options(int ringBytes, int maxExited, long graceNanos, boolean seedFromProc, Path procRoot) {
            this(ringBytes, maxExited, graceNanos, seedFromProc, procRoot, null, SyscallHook.AUTO);
        }

        public Options withRingBytes(int bytes) {
            return new Options(bytes, maxExited, graceNanos, seedFromProc, procRoot, containers, syscallHook);
        }

        public Options withSeed(boolean seed) {
            return new Options(ringBytes, maxExited, graceNanos, seed, procRoot, containers, syscallHook);
        }

        /** The container resolver (owned by the sensor from start on: closed with it, or on a failed start). */
        public Options withContainers(ContainerResolver r) {
            return new Options(ringBytes, maxExited, graceNanos, seedFromProc, procRoot, r, syscallHook);
        }

        public Options withSyscallHook(SyscallHook h) {
            return new Options(ringBytes, maxExited, graceNanos, seedFromProc, procRoot, containers, h);
        }
    }

    private Sensor(BpfObject object, RingBuffer ring, Selection selection, ProcessTable table, ContainerResolver containers) {
        this.object = object;
        this.containers = containers;
        this.ring = ring;
        this.drops = object.map("sensor_drops");
        this.selection = selection;
        this.table = table;
        this.prefilter = new SensorPrefilter(object);
        this.parser = new RecordParser(table, containers, selection, KernelClock.realtimeNanos() - KernelClock.monotonicNanos());
        this.lastSweep = System.nanoTime(); // the table was just seeded: the first sweep is due in a minute
    }

    public static Sensor start(Selection selection) {
        return start(selection, Options.defaults());
    }

    /** Checks the machine, seeds the process table, loads and attaches. Failures are {@link SensorException}s. */
    public static Sensor start(Selection selection, Options options) {
        Opened opened;
        try {
            opened = open();
        } catch (RuntimeException e) {
            if (options.containers() != null) options.containers().close();
            throw e;
        }
        return start(selection, options, opened);
    }

    /**
     * The part of {@link #start} that does not depend on the selection: the machine's checks, the object opened
     * (ELF and BTF parsed) and its record layouts checked against its BTF. The agent runs it beside its rule load
     * (issue #17: start to healthy). Close it if it is not handed to {@link #start(Selection, Options, Opened)}.
     */
    public static Opened open() {
        long t0 = System.nanoTime();
        Preflight.check(true);
        BpfObject obj = BpfObject.openResource(OBJECT);
        try {
            RecordLayout.verify(obj.btf());
            SensorPrefilter.verify(obj.btf());
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        return new Opened(obj, System.nanoTime() - t0);
    }

    /** The sensor's object, opened and checked, not yet loaded (see {@link #open}). */
    public static final class Opened implements AutoCloseable {
        private BpfObject obj;
        private final long nanos;

        private Opened(BpfObject obj, long nanos) {
            this.obj = obj;
            this.nanos = nanos;
        }

        private synchronized BpfObject take() {
            BpfObject o = obj;
            if (o == null) throw new IllegalStateException("this opened sensor object was already started or closed");
            obj = null;
            return o;
        }

        @Override
        public synchronized void close() {
            if (obj != null) obj.close();
            obj = null;
        }
    }

    /** {@link #start(Selection, Options)} with the object {@link #open} made; takes it (closed on failure). */
    public static Sensor start(Selection selection, Options options, Opened opened) {
        ContainerResolver containers = options.containers() != null ? options.containers() : ContainerResolver.identityOnly();
        BpfObject obj;
        long openNanos = opened.nanos, tOpen = System.nanoTime(), tLoad, tSeed;
        try {
            obj = opened.take();
        } catch (RuntimeException e) {
            containers.close();
            throw e;
        }
        RingBuffer ring = null;
        try {
            obj.setConstant("self_tgid", ProcessHandle.current().pid());
            obj.map("sensor_ring").setMaxEntries(options.ringBytes());
            obj.setConstant("vigil_wakeup_bytes", options.ringBytes() / 4);
            boolean anySyscall = !selection.attached().isEmpty();
            // selected syscalls this kernel has no tracepoint for (init_module without CONFIG_MODULES): the raw
            // hook reports those beside the tracepoints (an attempt still returns ENOSYS, worth seeing), or, AUTO,
            // reports everything, since it runs at every syscall anyway
            java.util.Set<Integer> rawOnly = new java.util.HashSet<>();
            List<SyscallTable.Def> viaTracepoint = new ArrayList<>();
            for (SyscallTable.Def d : options.syscallHook() == SyscallHook.RAW ? List.<SyscallTable.Def>of() : selection.attached()) {
                if (Files.isDirectory(TRACEFS_SYSCALLS.resolve("sys_exit_" + SyscallTable.syscallName(d)))) viaTracepoint.add(d);
                else rawOnly.add(d.nr());
            }
            boolean raw = options.syscallHook() == SyscallHook.RAW || options.syscallHook() == SyscallHook.AUTO && !rawOnly.isEmpty();
            if (raw) {
                rawOnly.clear();
                viaTracepoint.clear();
            }
            boolean rawProgram = anySyscall && (raw || !rawOnly.isEmpty());
            obj.setConstant("raw_hook_all", raw ? 1 : 0);
            if (raw) {
                // the raw hook's first test: is this syscall selected at all (see sensor.bpf.c)
                java.nio.ByteBuffer bits = java.nio.ByteBuffer.allocate(RecordLayout.MAX_SYSCALLS / 8).order(java.nio.ByteOrder.nativeOrder());
                for (SyscallTable.Def d : selection.syscalls()) {
                    if (d.nr() >= 0 && d.nr() < RecordLayout.MAX_SYSCALLS) bits.putLong(8 * (d.nr() / 64), bits.getLong(8 * (d.nr() / 64)) | 1L << (d.nr() % 64));
                }
                obj.setConstant("raw_selected", bits.array());
                obj.setConstant("raw_selected_set", 1);
            }
            if (!raw && !rawOnly.isEmpty() && rawOnly.size() <= RAW_ONLY_MAX) {
                // the raw hook's own early exit for every other syscall of the machine (see sensor.bpf.c)
                java.nio.ByteBuffer nrs = java.nio.ByteBuffer.allocate(4 * RAW_ONLY_MAX).order(java.nio.ByteOrder.nativeOrder());
                for (int i = 0; i < RAW_ONLY_MAX; i++) nrs.putInt(-1);
                int i = 0;
                for (int nr : rawOnly) nrs.putInt(4 * i++, nr);
                obj.setConstant("raw_only_nrs", nrs.array());
                obj.setConstant("raw_only_listed", 1);
            }
            obj.program("sensor_sys_exit").setAutoload(anySyscall && !raw);
            obj.program("sensor_sys_exit_raw").setAutoload(rawProgram);
            boolean execveat = selection.syscalls().stream().anyMatch(d -> d.type() == EventType.EXECVEAT);
            obj.program("sensor_execveat_enter").setAutoload(execveat);
            boolean resets = selection.contains(EventType.TCP_SEND_RESET) && tcpResetsTraceable();
            obj.program("sensor_tcp_reset").setAutoload(resets);
            obj.load();
            tLoad = System.nanoTime();
            writeSpecs(obj.map("sensor_specs"), selection, rawOnly);
            ProcessTable table = new ProcessTable(options.maxExited(), options.graceNanos());
            ring = RingBuffer.open(obj.map("sensor_ring"));
            // Lifecycle first, then seed: a process forked between the two is seen by both (the record wins).
            for (String p : new String[] {"sensor_exec", "sensor_fork", "sensor_exit", "sensor_rename"}) {
                obj.program(p).attachBtfTracepoint();
            }
            if (options.seedFromProc()) {
                table.seed(options.procRoot(), KernelClock.realtimeNanos() - KernelClock.bootTimeNanos());
            }
            tSeed = System.nanoTime();
            if (execveat && Files.isDirectory(TRACEFS_SYSCALLS.resolve("sys_enter_execveat"))) {
                obj.program("sensor_execveat_enter").attachTracepoint("syscalls", "sys_enter_execveat");
            }
            if (resets) obj.program("sensor_tcp_reset").attachTracepoint("tcp", "tcp_send_reset");
            if (rawProgram) {
                obj.program("sensor_sys_exit_raw").attachBtfTracepoint(); // every syscall's exit; the specs select
            }
            for (SyscallTable.Def d : viaTracepoint) {
                obj.program("sensor_sys_exit").attachTracepoint("syscalls", "sys_exit_" + SyscallTable.syscallName(d));
            }
            Sensor sensor = new Sensor(obj, ring, selection, table, containers);
            sensor.startTimes = new StartTimes(openNanos, tLoad - tOpen, tSeed - tLoad, System.nanoTime() - tSeed);
            List<EventType> viaRaw = new ArrayList<>();
            for (SyscallTable.Def d : selection.attached()) if (rawOnly.contains(d.nr())) viaRaw.add(d.type());
            sensor.rawOnly = List.copyOf(viaRaw);
            return sensor;
        } catch (RuntimeException e) {
            if (ring != null) ring.close();
            obj.close();
            containers.close();
            throw e;
        }
    }

    /** How many syscall numbers the raw hook's early exit compares (SENSOR_RAW_ONLY_MAX in sensor.bpf.c). */
    private static final int RAW_ONLY_MAX = 4;

    private static void writeSpecs(BpfMap specs, Selection selection, java.util.Set<Integer> rawOnly) {
        for (SyscallTable.Def d : selection.syscalls()) {
            ByteBuffer v = ByteBuffer.allocate((int) RecordLayout.SPEC.size()).order(ByteOrder.nativeOrder());
            v.put(0, (byte) d.kind()).put(1, (byte) d.flags());
            v.put(2, (byte) d.path0()).put(3, (byte) d.path1());
            v.put(4, (byte) d.dirfd0()).put(5, (byte) d.dirfd1());
            v.put(6, (byte) d.str()).put(7, (byte) d.sockaddr()).put(8, (byte) d.sockaddrLen());
            v.put(9, (byte) (rawOnly.contains(d.nr()) ? 1 : 0));
            v.put(10, (byte) SyscallTable.flags2(d));
            specs.update(BpfMap.u32(d.nr()), v.array());
        }
    }

    public Selection selection() { return selection; }

    /** Whether this kernel can deliver events of this type at all (a caller reports the others as not captured). */
    public static boolean availableHere(EventType type) {
        return type != EventType.TCP_SEND_RESET || tcpResetsTraceable();
    }

    /**
     * Whether this kernel's tcp_send_reset tracepoint is the one sensor_tcp_reset reads (its own event with the
     * reset reason, Linux 6.10+). Older kernels define it as a tcp_event_sk_skb instance, whose record type the
     * program's CO-RE relocations cannot resolve: loading would fail the whole sensor.
     */
    private static boolean tcpResetsTraceable() {
        try {
            return Files.readString(Path.of("/sys/kernel/tracing/events/tcp/tcp_send_reset/format")).contains(" reason;");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private List<EventType> rawOnly = List.of();
    private StartTimes startTimes = new StartTimes(0, 0, 0, 0);

    /**
     * Where {@link #start} spent its time (issue #17, start to healthy): the machine checks and the object's open
     * (ELF, BTF), the load (the kernel's verifier for each autoloaded program, the maps), the lifecycle attach and
     * the process table's seed from /proc, and the syscall attaches.
     */
    public record StartTimes(long openNanos, long loadNanos, long seedNanos, long attachNanos) { }

    public StartTimes startTimes() { return startTimes; }
    private final SensorPrefilter prefilter;

    /**
     * Installs the in-kernel prefilter (issue #17): records of a filtered type that it rejects are never written
     * to the ring (counted apart: {@link #prefilterDropped}). Replaces the previous one in the maps, without
     * reattaching; events pass whole while it is being swapped.
     */
    public void installPrefilter(dev.vigil.events.prefilter.Prefilter p) { prefilter.install(p); }

    /** The prefilter in force ({@link dev.vigil.events.prefilter.Prefilter#NONE} until one is installed). */
    public dev.vigil.events.prefilter.Prefilter prefilter() { return prefilter.current(); }

    /** Records the prefilter kept out of the ring since it was installed (not drops: nothing needed them). */
    public long prefilterDropped() { return prefilter.dropped(); }

    /**
     * The types whose fd the sensor takes from the fd table (so what it holds for a file an open created can
     * change their events), and fchdir, which sets the cwd from it.
     */
    public static Set<EventType> fdTableReaders() { return RecordParser.FD_TABLE_READERS; }

    /** Selected types this kernel has no tracepoint for, reported through the raw sys_exit hook instead. */
    public List<EventType> rawHooked() { return rawOnly; }

    /**
     * Traces only these tgids (live change, in the kernel); an empty set or null turns the pid filter off.
     * Lifecycle records follow the same filter, so a child of a traced pid is traced only if added.
     */
    public synchronized void filterPids(java.util.Collection<Integer> pids) {
        BpfMap set = object.map("sensor_pids");
        for (byte[] k : set.keys()) set.delete(k);
        if (pids != null) for (int pid : pids) set.update(BpfMap.u32(pid), new byte[] {1});
        config[0] = pids == null || pids.isEmpty() ? 0 : 1;
        writeConfig();
    }

    /** Traces only processes whose comm is one of these (exact, at most 15 bytes); empty or null: off. */
    public synchronized void filterComms(java.util.Collection<String> comms) {
        BpfMap set = object.map("sensor_comms");
        for (byte[] k : set.keys()) set.delete(k);
        if (comms != null) {
            for (String c : comms) {
                byte[] key = new byte[RecordLayout.COMM_LEN];
                byte[] b = c.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, key, 0, Math.min(b.length, RecordLayout.COMM_LEN - 1));
                set.update(key, new byte[] {1});
            }
        }
        config[1] = comms == null || comms.isEmpty() ? 0 : 1;
        writeConfig();
    }

    /** Traces only these cgroup v2 ids; empty or null: off. */
    public synchronized void filterCgroups(java.util.Collection<Long> ids) {
        BpfMap set = object.map("sensor_cgroups");
        for (byte[] k : set.keys()) set.delete(k);
        if (ids != null) for (long id : ids) set.update(BpfMap.u64(id), new byte[] {1});
        config[2] = ids == null || ids.isEmpty() ? 0 : 1;
        writeConfig();
    }

    private final int[] config = new int[4];

    private void writeConfig() {
        ByteBuffer v = ByteBuffer.allocate((int) RecordLayout.CONFIG.size()).order(ByteOrder.nativeOrder());
        v.putInt(0, config[0]).putInt(4, config[1]).putInt(8, config[2]).putInt(12, config[3]);
        object.map("sensor_config").update(BpfMap.u32(0), v.array());
    }

    public ProcessTable processTable() { return table; }

    /** The container resolver events are answered from (its counters: {@link ContainerResolver#stats()}). */
    public ContainerResolver containers() { return containers; }

    public void setDropListener(DropListener l) { this.dropListener = l; }

    /** Delivers events until {@link #stop()}, then drains what is left. The view is valid only during accept. */
    public void run(Consumer<? super SensorEvent> consumer) {
        run(consumer, () -> { });
    }

    /** As {@link #run(Consumer)}, calling {@code afterPoll} on the reader thread after every poll (at least every few ms). */
    public void run(Consumer<? super SensorEvent> consumer, Runnable afterPoll) {
        RecordHandler handler = (data, offset, length) -> parser.onRecord(consumer, data, offset, length);
        while (!stopping) {
            ring.poll(POLL_INTERVAL_MS, handler);
            housekeeping();
            afterPoll.run();
        }
        ring.drain(handler);
        housekeeping();
        afterPoll.run();
    }

    /** One poll (for callers that run their own loop): returns the records handled. */
    public int pollOnce(int timeoutMs, Consumer<? super SensorEvent> consumer) {
        int n = ring.poll(timeoutMs, (data, offset, length) -> parser.onRecord(consumer, data, offset, length));
        housekeeping();
        return n;
    }

    /**
     * Stops capturing: the kernel programs emit nothing from now on (they stay attached until {@link #close}:
     * detaching a syscall tracepoint waits for an RCU grace period, tens of ms each, serialized in the kernel),
     * and {@link #run} drains what is in the ring and returns. Safe from any thread.
     */
    public void stop() {
        pause(); // first: the reader's last drain must come after the kernel fell silent
        stopping = true;
        ring.wakeup();
    }

    private void pause() {
        try {
            synchronized (this) {
                if (config[3] == 1) return;
                config[3] = 1;
                writeConfig();
            }
        } catch (RuntimeException e) {
            // closed already, or the map refused: stopping goes on
        }
    }

    private void housekeeping() {
        long now = System.nanoTime();
        if (now - lastDropReport >= 1_000_000_000L) {
            lastDropReport = now;
            DropReport r = drops();
            if (r.total() > lastDropTotal) {
                DropReport report = new DropReport(r.total(), r.total() - lastDropTotal, r.perKind(), r.perKindPerCpu());
                lastDropTotal = r.total();
                try {
                    dropListener.onDrops(report);
                } catch (RuntimeException e) {
                    // a listener failure must not stop the reader
                }
            }
        }
        if (now - lastSweep >= 60_000_000_000L) {
            lastSweep = now;
            table.sweep(KernelClock.monotonicNanos());
        }
    }

    /** The kernel's drop counters now. */
    public DropReport drops() {
        long[][] perCpu = new long[RecordLayout.MAX_KINDS][];
        long[] perKind = new long[RecordLayout.MAX_KINDS];
        long total = 0;
        for (int k = 0; k < RecordLayout.MAX_KINDS; k++) {
            perCpu[k] = drops.perCpuLongs(k);
            for (long v : perCpu[k]) perKind[k] += v;
            total += perKind[k];
        }
        return new DropReport(total, 0, perKind, perCpu);
    }

    public long droppedTotal() { return drops().total(); }

    /**
     * Records the kernel tried to emit that the reader has not received: the kernel's per-CPU sequence
     * counters minus the records received. Exact once the ring is drained (records still in the ring count
     * as missing until read). Gaps inside the received sequences are {@link #sequenceGaps()}.
     */
    public long missingRecords() {
        long attempted = 0;
        for (long v : object.map("sensor_seq").perCpuLongs(0)) attempted += v;
        return attempted - recordsReceived();
    }

    /** Holes between received sequence numbers, per CPU, summed: drops seen without asking the kernel. */
    public long sequenceGaps() {
        return parser.sequenceGaps();
    }

    public long recordsReceived() {
        return parser.recordsReceived();
    }

    public long eventsDelivered() { return parser.delivered; }

    /** The ring's data size, the bytes waiting in it now, and the most ever found waiting (any thread). */
    public long ringCapacity() { return ring.capacity(); }

    public long ringPending() { return ring.pending(); }

    public long ringPeakPending() { return ring.peakPending(); }

    @Override
    public void close() {
        stopping = true;
        pause();
        ring.close();
        object.close();
        containers.close();
    }

    static String describe(int[] a) { return Arrays.toString(a); }
}
