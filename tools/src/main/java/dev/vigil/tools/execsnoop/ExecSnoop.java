package dev.vigil.tools.execsnoop;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The execsnoop tracer: loads bpf/execsnoop.bpf.c configured from {@link ExecSnoopOptions}, attaches
 * sched_process_exec (and, for failed execs, the execve/execveat syscall tracepoints) and delivers
 * {@link ExecEvent}s, on the tool harness ({@link BpfTool}). Drops (ring full) are counted in
 * the kernel and exposed by {@link #dropped()}. Closing detaches everything.
 */
public final class ExecSnoop implements AutoCloseable {
    static final String OBJECT = "/bpf/execsnoop.bpf.o";
    /** Only with -x: failed execs are seen at syscall exit (successful ones come from sched_process_exec). */
    private static final String[][] FAILED_EXEC_TRACEPOINTS = {
        {"tracepoint__syscalls__sys_enter_execve", "sys_enter_execve"},
        {"tracepoint__syscalls__sys_exit_execve", "sys_exit_execve"},
        {"tracepoint__syscalls__sys_enter_execveat", "sys_enter_execveat"},
        {"tracepoint__syscalls__sys_exit_execveat", "sys_exit_execveat"},
    };

    private final ExecSnoopOptions options;
    private final BpfTool tool;

    private ExecSnoop(ExecSnoopOptions options, BpfTool tool) {
        this.options = options;
        this.tool = tool;
    }

    /** Checks the machine, loads and attaches. Throws {@link dev.vigil.ebpf.BpfException} subtypes with clear messages. */
    public static ExecSnoop start(ExecSnoopOptions options) {
        BpfTool.Builder b = BpfTool.builder("execsnoop", OBJECT)
                .layout(ExecEvent.LAYOUT)
                .filters(new ToolFilters(null, null, options.uid(), options.cgroup()))
                .constant("max_args", options.maxArgs())
                .nameContains(options.name())
                .ring("events")
                .attach("handle_exec", Hook.btfTracepoint("sched_process_exec"));
        if (options.includeFailed()) {
            for (String[] tp : FAILED_EXEC_TRACEPOINTS) {
                b.attach(tp[0], Hook.tracepoint("syscalls", tp[1]));
            }
        }
        return new ExecSnoop(options, b.start());
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
        tool.run((data, offset, length) -> deliver(sink, line, maxArgs, data, offset, length), afterBatch);
    }

    private static void deliver(Consumer<ExecEvent> sink, String line, int maxArgs, MemorySegment data, long offset, int length) {
        ExecEvent e = ExecEvent.decode(data, offset, length, maxArgs);
        if (line == null || e.args().stream().anyMatch(a -> a.contains(line))) {
            sink.accept(e);
        }
    }

    /** Makes {@link #run} return after draining; safe from any thread (e.g. a signal handler). */
    public void stop() {
        tool.stop();
    }

    /** Events the kernel could not hand over because the ring was full. */
    public long dropped() {
        return tool.lost();
    }

    /** The harness running this tool (for lost-event reporting and the like). */
    public BpfTool tool() {
        return tool;
    }

    @Override
    public void close() {
        tool.close();
    }
}
