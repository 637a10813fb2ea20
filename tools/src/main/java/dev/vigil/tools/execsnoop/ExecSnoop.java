package dev.vigil.tools.execsnoop;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * The execsnoop tracer: loads bpf/execsnoop.bpf.c configured from {@link ExecSnoopOptions}, attaches
 * sched_process_exec (and, for failed execs, the execve/execveat syscall tracepoints) and delivers
 * {@link ExecEvent}s. Drops (ring full) are counted in
 * the kernel and exposed by {@link #dropped()}. Closing detaches everything.
 */
public final class ExecSnoop implements AutoCloseable {
    static final String OBJECT = "/bpf/execsnoop.bpf.o";
    /** How long the reader may sleep: bounds the delay from exec to output. */
    static final int POLL_INTERVAL_MS = 5;
    /** Only with -x: failed execs are seen at syscall exit (successful ones come from sched_process_exec). */
    private static final String[][] FAILED_EXEC_TRACEPOINTS = {
        {"tracepoint__syscalls__sys_enter_execve", "sys_enter_execve"},
        {"tracepoint__syscalls__sys_exit_execve", "sys_exit_execve"},
        {"tracepoint__syscalls__sys_enter_execveat", "sys_enter_execveat"},
        {"tracepoint__syscalls__sys_exit_execveat", "sys_exit_execveat"},
    };

    private final ExecSnoopOptions options;
    private final BpfObject object;
    private final RingBuffer ring;
    private final BpfMap drops;
    private volatile boolean stopping;

    private ExecSnoop(ExecSnoopOptions options, BpfObject object, RingBuffer ring) {
        this.options = options;
        this.object = object;
        this.ring = ring;
        this.drops = object.map("vigil_drops");
    }

    /** Checks the machine, loads and attaches. Throws {@link BpfException} subtypes with clear messages. */
    public static ExecSnoop start(ExecSnoopOptions options) {
        Preflight.check(true);
        if (options.cgroup() != null && !Files.isDirectory(options.cgroup())) {
            throw new BpfException("-c " + options.cgroup() + ": not a cgroup v2 directory");
        }
        BpfObject obj = BpfObject.openResource(OBJECT);
        try {
            ExecEvent.LAYOUT.verify(obj.btf());
            obj.setConstant("max_args", options.maxArgs());
            if (options.uid() != null) {
                obj.setConstant("targ_uid", options.uid());
            }
            if (options.name() != null) {
                byte[] name = options.name().getBytes(StandardCharsets.UTF_8);
                obj.setConstant("targ_name", name);
                obj.setConstant("targ_name_len", name.length);
            }
            obj.setConstant("filter_cgroup", options.cgroup() != null ? 1 : 0);
            obj.setConstant("vigil_wakeup_bytes", obj.map("events").maxEntries() / 4);
            for (String[] tp : FAILED_EXEC_TRACEPOINTS) {
                obj.program(tp[0]).setAutoload(options.includeFailed());
            }
            obj.load();
            if (options.cgroup() != null) {
                obj.map("cgroup_filter").setCgroup(0, options.cgroup());
            }
            RingBuffer ring = RingBuffer.open(obj.map("events"));
            try {
                obj.program("handle_exec").attachBtfTracepoint();
                if (options.includeFailed()) {
                    for (String[] tp : FAILED_EXEC_TRACEPOINTS) {
                        obj.program(tp[0]).attachTracepoint("syscalls", tp[1]);
                    }
                }
            } catch (RuntimeException e) {
                ring.close();
                throw e;
            }
            return new ExecSnoop(options, obj, ring);
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    public ExecSnoopOptions options() {
        return options;
    }

    /**
     * Delivers events to the sink until {@link #stop()} is called, then drains what is left.
     * {@code afterBatch} runs after each poll (e.g. to flush output and report drops).
     */
    public void run(Consumer<ExecEvent> sink, Runnable afterBatch) {
        String line = options.line();
        int maxArgs = options.maxArgs();
        while (!stopping) {
            ring.poll(POLL_INTERVAL_MS, (data, offset, length) -> deliver(sink, line, maxArgs, data, offset, length));
            afterBatch.run();
        }
        ring.drain((data, offset, length) -> deliver(sink, line, maxArgs, data, offset, length));
        afterBatch.run();
    }

    private static void deliver(Consumer<ExecEvent> sink, String line, int maxArgs, MemorySegment data, long offset, int length) {
        ExecEvent e = ExecEvent.decode(data, offset, length, maxArgs);
        if (line == null || e.args().stream().anyMatch(a -> a.contains(line))) {
            sink.accept(e);
        }
    }

    /** Makes {@link #run} return after draining; safe from any thread (e.g. a signal handler). */
    public void stop() {
        stopping = true;
        ring.wakeup();
    }

    /** Events the kernel could not hand over because the ring was full. */
    public long dropped() {
        return drops.sumPerCpuLong(0);
    }

    @Override
    public void close() {
        stopping = true;
        ring.close();
        object.close();
    }
}
