package dev.vigil.ebpf.tool;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.feature.FeatureReport;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.ringbuf.RecordHandler;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One BCC-style tool's kernel side, start to finish: open the object, set its constants and the standard
 * filters ({@link ToolFilters}), choose hooks for this kernel, load, fill the filter maps, map the ring,
 * attach, poll, count what was lost, close. A tool is then a {@code .bpf.c} (including
 * {@code vigil/tool.bpf.h} and {@code vigil/ringbuf.bpf.h}), its shared {@code .h}, one small class that
 * decodes and prints, and a command. See tools/README.md.
 *
 * <pre>{@code
 * try (BpfTool tool = BpfTool.builder("opensnoop", "/bpf/opensnoop.bpf.o")
 *         .layout(OpenEvent.LAYOUT).filters(filters).constant("targ_failed", 1)
 *         .attach("handle_exit_openat", Hook.tracepoint("syscalls", "sys_exit_openat"))
 *         .ring("events").start()) {
 *     tool.run((data, offset, length) -> print(data, offset), out::flush); // until stop(), then drains
 * }
 * }</pre>
 *
 * Programs the builder is not told to attach are not loaded. Everything the tool created goes with
 * {@link #close()} (and with the process, even on SIGKILL: nothing is pinned).
 */
public final class BpfTool implements AutoCloseable {
    /** How long a busy reader sleeps between drains: bounds the delay from event to output while events flow. */
    public static final int POLL_INTERVAL_MS = 5;
    /** After this many empty polls in a row (100 ms of nothing) the reader polls every IDLE_POLL_INTERVAL_MS. */
    private static final int IDLE_AFTER_POLLS = 20;
    /** The idle reader's interval, as libbpf-tools' POLL_TIMEOUT_MS: 200 wakeups a second cost ~2% of a CPU. */
    public static final int IDLE_POLL_INTERVAL_MS = 100;
    /** The longest -n NAME: a comm is 16 bytes with its NUL. */
    public static final int MAX_NAME = 15;
    /** How long the final drain waits for a record still being written when the programs were detached. */
    private static final long FINAL_DRAIN_MS = 1000;
    private static final Path TRACEFS_EVENTS = Path.of("/sys/kernel/tracing/events");
    private static final String DROPS_MAP = "vigil_drops";
    private static final int MAX_EVENT_KINDS = 64; // VIGIL_MAX_EVENT_KINDS in ringbuf.bpf.h

    private final String name;
    private final BpfObject object;
    private final RingBuffer ring;
    private final String variant;
    private final List<Attachment> attached;
    private final BpfMap drops;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile long bytesLeftInRing;

    private BpfTool(String name, BpfObject object, RingBuffer ring, String variant, List<Attachment> attached) {
        this.name = name;
        this.object = object;
        this.ring = ring;
        this.variant = variant;
        this.attached = List.copyOf(attached);
        this.drops = object.maps().stream().filter(m -> m.name().equals(DROPS_MAP)).findFirst().orElse(null);
    }

    /** Whether {@code tracefs/events/CATEGORY/NAME} exists, as libbpf-tools' trace_helpers asks. */
    public static boolean tracepointExists(String category, String name) {
        return Files.isDirectory(TRACEFS_EVENTS.resolve(category).resolve(name));
    }

    /** Checks the machine (privileges, libbpf, BTF, tracefs) and starts describing a tool. */
    public static Builder builder(String toolName, String resource) {
        Preflight.check(true);
        return new Builder(toolName, resource);
    }

    /** A program and where it attaches; optional ones are skipped when their tracepoint is absent. */
    public record Attachment(String program, Hook hook, boolean optional) {}

    /** One way of running a tool: a set of attachments that need the same kind of hook. */
    public record Variant(String name, List<Attachment> attachments) {
        public Variant {
            attachments = List.copyOf(attachments);
        }

        public static Variant of(String name, String program, Hook hook) {
            return new Variant(name, List.of(new Attachment(program, hook, false)));
        }

        public Variant and(String program, Hook hook) {
            List<Attachment> a = new ArrayList<>(attachments);
            a.add(new Attachment(program, hook, false));
            return new Variant(name, a);
        }

        /** This variant's attachments followed by another's (a hook some kernels add to a common set). */
        public Variant andAll(Variant more) {
            List<Attachment> a = new ArrayList<>(attachments);
            a.addAll(more.attachments());
            return new Variant(name, a);
        }
    }

    public static final class Builder {
        private final String toolName;
        private final String resource;
        private final List<Consumer<BpfObject>> beforeLoad = new ArrayList<>();
        private final List<Consumer<BpfObject>> afterLoad = new ArrayList<>();
        private final List<StructView> layouts = new ArrayList<>();
        private final List<Attachment> attachments = new ArrayList<>();
        private final List<List<Variant>> choices = new ArrayList<>();
        private ToolFilters filters = ToolFilters.NONE;
        private String ringMap;
        private int ringBytes;

        private Builder(String toolName, String resource) {
            this.toolName = toolName;
            this.resource = resource;
        }

        /** Java's view of a record the object emits: checked against the object's BTF before load. */
        public Builder layout(StructView view) {
            layouts.add(view);
            return this;
        }

        /** A {@code const volatile} global, set before load. */
        public Builder constant(String variable, long value) {
            beforeLoad.add(o -> o.setConstant(variable, value));
            return this;
        }

        public Builder constant(String variable, byte[] value) {
            beforeLoad.add(o -> o.setConstant(variable, value));
            return this;
        }

        /** The standard filters; the object must define (through tool.bpf.h) those that are set. */
        public Builder filters(ToolFilters f) {
            this.filters = f;
            return this;
        }

        /**
         * -n NAME: only tasks whose comm contains {@code name} (in the kernel, by vigil_comm_contains);
         * null for no filter. A comm holds at most 15 bytes.
         */
        public Builder nameContains(String name) {
            if (name == null) {
                return this;
            }
            byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length == 0 || b.length > MAX_NAME) {
                throw new IllegalArgumentException("-n NAME must be 1 to " + MAX_NAME + " bytes (a process name, comm, is at most 15)");
            }
            beforeLoad.add(o -> o.setConstant("targ_name", b).setConstant("targ_name_len", b.length));
            return this;
        }

        /** Anything else to do to the opened object before load (map sizes, ...). */
        public Builder beforeLoad(Consumer<BpfObject> step) {
            beforeLoad.add(step);
            return this;
        }

        /** Filling maps after load (runtime filters, ...), before anything is attached. */
        public Builder afterLoad(Consumer<BpfObject> step) {
            afterLoad.add(step);
            return this;
        }

        /** The ring buffer map the tool's records come through ({@link #run}); none for map-only tools. */
        public Builder ring(String mapName) {
            this.ringMap = mapName;
            return this;
        }

        /** The ring with a size of its own (a power of two, in bytes). */
        public Builder ring(String mapName, int bytes) {
            this.ringMap = mapName;
            this.ringBytes = bytes;
            return this;
        }

        public Builder attach(String program, Hook hook) {
            attachments.add(new Attachment(program, hook, false));
            return this;
        }

        /** Attaches only when the tracepoint exists on this kernel (e.g. openat2, fsmount on older kernels). */
        public Builder attachIfExists(String program, Hook.Tracepoint hook) {
            attachments.add(new Attachment(program, hook, true));
            return this;
        }

        /** Attaches the first variant this kernel allows (in the order given: the best first). */
        public Builder attachOneOf(Variant... variants) {
            choices.add(List.of(variants));
            return this;
        }

        /** Loads and attaches; the exceptions say what the machine or kernel refused, in one line. */
        public BpfTool start() {
            if (filters.cgroup() != null && !Files.isDirectory(filters.cgroup())) {
                throw new BpfException("-c " + filters.cgroup() + ": not a cgroup v2 directory");
            }
            List<Attachment> chosen = new ArrayList<>();
            List<String> variantNames = new ArrayList<>();
            for (List<Variant> choice : choices) {
                Variant v = choose(toolName, choice);
                variantNames.add(v.name());
                chosen.addAll(v.attachments());
            }
            for (Attachment a : attachments) {
                if (!a.optional() || !(a.hook() instanceof Hook.Tracepoint t) || tracepointExists(t.category(), t.name())) {
                    chosen.add(a);
                }
            }
            BpfObject obj = BpfObject.openResource(resource);
            RingBuffer ring = null;
            try {
                for (StructView view : layouts) {
                    view.verify(obj.btf());
                }
                applyFilters(obj);
                if (ringMap != null) {
                    BpfMap map = obj.map(ringMap);
                    if (ringBytes > 0) {
                        map.setMaxEntries(ringBytes);
                    }
                    if (obj.btf().datasecVariable(".rodata", "vigil_wakeup_bytes").isPresent()) {
                        obj.setConstant("vigil_wakeup_bytes", map.maxEntries() / 4);
                    }
                }
                beforeLoad.forEach(step -> step.accept(obj));
                Set<String> load = new HashSet<>();
                for (Attachment a : chosen) {
                    load.add(obj.program(a.program()).name());
                }
                for (BpfProgram p : obj.programs()) {
                    p.setAutoload(load.contains(p.name()));
                }
                obj.load();
                if (filters.cgroup() != null) {
                    obj.map("cgroup_filter").setCgroup(0, filters.cgroup());
                }
                afterLoad.forEach(step -> step.accept(obj));
                if (ringMap != null) {
                    ring = RingBuffer.open(obj.map(ringMap));
                }
                for (Attachment a : chosen) {
                    a.hook().attach(obj.program(a.program())); // the object holds the link: close() detaches
                }
                return new BpfTool(toolName, obj, ring, String.join(", ", variantNames), chosen);
            } catch (RuntimeException e) {
                if (ring != null) {
                    ring.close();
                }
                obj.close();
                throw e;
            }
        }

        private void applyFilters(BpfObject obj) {
            setFilter(obj, "targ_pid", "-p", filters.pid());
            setFilter(obj, "targ_tid", "-t", filters.tid());
            setFilter(obj, "targ_uid", "-u", filters.uid());
            if (filters.cgroup() != null) {
                setFilter(obj, "filter_cgroup", "-c", 1);
            }
        }

        private void setFilter(BpfObject obj, String variable, String flag, Integer value) {
            if (value == null) {
                return;
            }
            if (obj.btf().datasecVariable(".rodata", variable).isEmpty()) {
                throw new BpfException(toolName + " has no " + flag + " filter (its object lacks " + variable + ")");
            }
            obj.setConstant(variable, value);
        }
    }

    /** The first variant whose hooks this kernel has; else one line naming what is missing for each. */
    static Variant choose(String toolName, List<Variant> variants) {
        List<String> why = new ArrayList<>();
        FeatureReport report = null;
        for (Variant v : variants) {
            String missing = null;
            for (Attachment a : v.attachments()) {
                Hook h = a.hook();
                if (h instanceof Hook.Tracepoint t) {
                    if (!a.optional() && !tracepointExists(t.category(), t.name())) {
                        missing = "no " + h;
                    }
                } else {
                    if (report == null) {
                        report = FeatureProbe.probe();
                    }
                    if (!report.supports(h.feature())) {
                        missing = "no " + h.feature().description() + " for " + h;
                    }
                }
                if (missing != null) {
                    break;
                }
            }
            if (missing == null) {
                return v;
            }
            why.add(v.name() + ": " + missing);
        }
        throw new HookUnavailableException(toolName + " cannot run on this kernel (" + FeatureProbe.kernelRelease() + "): "
                + String.join("; ", why));
    }

    /** No variant of a tool has its hooks on this kernel. */
    public static final class HookUnavailableException extends BpfException {
        public HookUnavailableException(String message) {
            super(message);
        }
    }

    public String name() {
        return name;
    }

    /** The variants chosen by {@link Builder#attachOneOf} (comma-separated names), or "" if none. */
    public String variant() {
        return variant;
    }

    /** What was attached, in order. */
    public List<Attachment> attached() {
        return attached;
    }

    public BpfObject object() {
        return object;
    }

    public BpfMap map(String mapName) {
        return object.map(mapName);
    }

    /**
     * Delivers the ring's records to the handler until {@link #stop()}, then detaches every program and drains
     * the ring to its end, so every record the kernel wrote is delivered and {@link #lost()} is final: an event
     * is either printed or counted lost, never neither. {@code afterBatch} runs after each poll (flush, report
     * losses).
     */
    public void run(RecordHandler handler, Runnable afterBatch) {
        if (ring == null) {
            throw new IllegalStateException(name + " has no ring buffer (Builder.ring)");
        }
        int emptyPolls = 0;
        while (!stopping) {
            // idle: poll as seldom as libbpf-tools does; a burst still wakes the reader early (ringbuf.bpf.h's
            // forced wakeup at a quarter full) and stop() at once, so only an idle tool's first event waits longer
            int n = ring.poll(emptyPolls >= IDLE_AFTER_POLLS ? IDLE_POLL_INTERVAL_MS : POLL_INTERVAL_MS, handler);
            emptyPolls = n == 0 ? Math.min(emptyPolls + 1, IDLE_AFTER_POLLS) : 0;
            afterBatch.run();
        }
        finish(handler);
        afterBatch.run();
    }

    /** Detaches, then delivers what is left. */
    private void finish(RecordHandler handler) {
        object.detachAll();
        bytesLeftInRing = ring.drainToEnd(handler, FINAL_DRAIN_MS);
    }

    /**
     * Bytes the final drain could not deliver because a producer never committed its record (0 but for a
     * kernel fault): reported by the caller, so even that is not silent.
     */
    public long bytesLeftInRing() {
        return bytesLeftInRing;
    }

    /** For interval tools: waits up to {@code d}; true if {@link #stop()} came first. */
    public boolean awaitStop(Duration d) throws InterruptedException {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE;
        }
        return stopped.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** For map-only tools: waits until {@link #stop()} (a signal, -d). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Makes {@link #run} return after draining (and {@link #awaitStop} true); safe from any thread. */
    public void stop() {
        stopping = true;
        stopped.countDown();
        if (ring != null) {
            ring.wakeup();
        }
    }

    public boolean isStopping() {
        return stopping;
    }

    /** Stops the tool after this long (the -d DURATION of libbpf-tools). */
    public void stopAfter(Duration d) {
        Thread.ofVirtual().start(() -> {
            try {
                if (!stopped.await(d.toNanos(), TimeUnit.NANOSECONDS)) {
                    stop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Records the kernel could not hand over (ring full), over every event kind; 0 without vigil_drops. */
    public long lost() {
        if (drops == null || object.isClosed()) {
            return 0;
        }
        long sum = 0;
        int kinds = Math.min(drops.maxEntries(), MAX_EVENT_KINDS);
        for (int k = 0; k < kinds; k++) {
            sum += drops.sumPerCpuLong(k);
        }
        return sum;
    }

    @Override
    public void close() {
        stop();
        if (ring != null) {
            ring.close();
        }
        object.close();
    }
}
