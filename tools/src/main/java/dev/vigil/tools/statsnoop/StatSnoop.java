package dev.vigil.tools.statsnoop;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.KernelClock;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * statsnoop: statfs, stat, lstat, fstatat and statx with their results, columns as libbpf-tools':
 * {@code [TIME(s)] PID COMM RET ERR [SYSCALL] PATH}.
 */
public final class StatSnoop {
    static final String OBJECT = "/bpf/statsnoop.bpf.o";
    /** By STATSNOOP_* index: the tracepoint's syscall name. */
    public static final String[] SYSCALLS = {"statfs", "newstat", "newlstat", "newfstatat", "statx"};

    private StatSnoop() {}

    /**
     * @param failed -x: failed stats only (kernel)
     * @param timestamp -t: a TIME(s) column, seconds since the tool started
     * @param printSyscall -s: a SYSCALL column
     */
    public record Options(ToolFilters filters, boolean failed, boolean timestamp, boolean printSyscall) {
        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, false, false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, failed, timestamp, printSyscall); }
        public Options withFailed(boolean v) { return new Options(filters, v, timestamp, printSyscall); }
    }

    /** struct statsnoop_event (bpf/include/vigil/statsnoop.h). */
    public record Event(long bootTimeNs, int pid, int tid, int uid, int ret, int syscall, String comm, String path) {
        static final StructView LAYOUT = StructView.builder("statsnoop_event", 304)
                .field("ts_ns", 0, 8).field("pid", 8, 4).field("tid", 12, 4).field("uid", 16, 4).field("ret", 20, 4)
                .field("syscall", 24, 4).field("comm", 32, 16).field("path", 48, 256).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 12), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 16),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 20), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24),
                    ToolOutput.cString(d, o + 32, 16), ToolOutput.cString(d, o + 48, 256));
        }

        public String syscallName() {
            return syscall >= 0 && syscall < SYSCALLS.length ? SYSCALLS[syscall] : "?";
        }

        /** RET as libbpf-tools prints it: 0, or -1 for a failure. */
        public int retColumn() { return ret >= 0 ? ret : -1; }

        public int err() { return ret >= 0 ? 0 : -ret; }
    }

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("statsnoop", OBJECT)
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("trace_failed_only", o.failed() ? 1 : 0)
                .ring("events");
        for (String s : SYSCALLS) {
            b.attachIfExists("handle_exit_" + s, new Hook.Tracepoint("syscalls", "sys_exit_" + s));
        }
        return b.start();
    }

    public static final class Printer extends EventPrinter<Event> {
        private final Options o;
        private final long startBootNs = KernelClock.bootTimeNanos();

        public Printer(ToolOutput out, Options options) {
            super(out);
            this.o = options;
        }

        @Override
        protected void heading() {
            LineBuffer l = out.line();
            if (o.timestamp()) l.left("TIME(s)", 14).ch(' ');
            l.left("PID", 7).ch(' ').left("COMM", 20).ch(' ').left("RET", 4).ch(' ').left("ERR", 4).ch(' ');
            if (o.printSyscall()) l.left("SYSCALL", 11).ch(' ');
            l.str("PATH").nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            if (o.timestamp()) l.fixedLeft(Math.max(0, (e.bootTimeNs() - startBootNs) / 1_000_000), 3, 14).ch(' ');
            l.decLeft(e.pid(), 7).ch(' ').left(e.comm(), 20).ch(' ').decLeft(e.retColumn(), 4).ch(' ').decLeft(e.err(), 4).ch(' ');
            if (o.printSyscall()) l.left(e.syscallName(), 11).ch(' ');
            l.str(e.path()).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeStringField("comm", e.comm());
            g.writeNumberField("ret", e.retColumn());
            g.writeNumberField("err", e.err());
            g.writeStringField("syscall", e.syscallName());
            g.writeStringField("path", e.path());
        }
    }
}
