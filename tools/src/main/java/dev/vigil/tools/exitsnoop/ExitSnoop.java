package dev.vigil.tools.exitsnoop;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.SignalNames;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * exitsnoop: process exits (threads with -T) from sched:sched_process_exit, columns as libbpf-tools':
 * {@code [TIME(s)] PCOMM PID PPID TID AGE(s) EXIT_CODE}.
 */
public final class ExitSnoop {
    static final String OBJECT = "/bpf/exitsnoop.bpf.o";

    private ExitSnoop() {}

    /**
     * @param failed -x: only exits with a non-zero code or a signal (kernel)
     * @param threads -T: every thread's exit, not only processes' (kernel)
     * @param time -t: a TIME(s) column (HH:MM:SS, as libbpf-tools prints it)
     */
    public record Options(ToolFilters filters, boolean failed, boolean threads, boolean time) {
        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, false, false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, failed, threads, time); }
        public Options withFailed(boolean v) { return new Options(filters, v, threads, time); }
        public Options withThreads(boolean v) { return new Options(filters, failed, v, time); }
    }

    /** struct exitsnoop_event (bpf/include/vigil/exitsnoop.h). */
    public record Event(long startNs, long exitNs, int pid, int tid, int ppid, int exitCode, int sig, int uid, String comm) {
        static final StructView LAYOUT = StructView.builder("exitsnoop_event", 56)
                .field("start_ns", 0, 8).field("exit_ns", 8, 8).field("pid", 16, 4).field("tid", 20, 4)
                .field("ppid", 24, 4).field("exit_code", 28, 4).field("sig", 32, 4).field("uid", 36, 4)
                .field("comm", 40, 16).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 16), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 20),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 28),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 32), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 36),
                    ToolOutput.cString(d, o + 40, 16));
        }

        /** Seconds from the task's start to its exit. */
        public double ageSeconds() {
            return (exitNs - startNs) / 1e9;
        }

        /** The terminating signal (0 for a normal exit). */
        public int signal() {
            return sig & 0x7f;
        }

        public boolean coreDumped() {
            return (sig & 0x80) != 0;
        }

        /** EXIT_CODE as libbpf-tools prints it: 0, "code N", or "signal N (Killed)[, core dumped]". */
        public String exitText() {
            if (sig == 0) {
                return exitCode == 0 ? "0" : "code " + exitCode;
            }
            StringBuilder sb = new StringBuilder();
            if (signal() != 0) {
                sb.append("signal ").append(signal()).append(" (").append(SignalNames.description(signal())).append(')');
            }
            if (coreDumped()) {
                sb.append(", core dumped");
            }
            return sb.toString();
        }
    }

    public static BpfTool start(Options o) {
        return BpfTool.builder("exitsnoop", OBJECT)
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("trace_failed_only", o.failed() ? 1 : 0)
                .constant("trace_by_process", o.threads() ? 0 : 1)
                .ring("events")
                .attach("handle_exit", Hook.tracepoint("sched", "sched_process_exit"))
                .start();
    }

    public static final class Printer extends EventPrinter<Event> {
        private final Options o;

        public Printer(ToolOutput out, Options options) {
            super(out);
            this.o = options;
        }

        @Override
        protected void heading() {
            LineBuffer l = out.line();
            if (o.time()) l.left("TIME(s)", 8).ch(' ');
            l.left("PCOMM", 16).ch(' ').left("PID", 7).ch(' ').left("PPID", 7).ch(' ').left("TID", 7).ch(' ')
                    .left("AGE(s)", 7).ch(' ').str("EXIT_CODE").nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            if (o.time()) l.str(ToolOutput.hms()).ch(' ');
            l.left(e.comm(), 16).ch(' ').decLeft(e.pid(), 7).ch(' ').decLeft(e.ppid(), 7).ch(' ').decLeft(e.tid(), 7).ch(' ')
                    .fixedLeft(Math.round(e.ageSeconds() * 100), 2, 7).ch(' ').str(e.exitText()).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            if (o.time()) g.writeStringField("time", ToolOutput.hms());
            g.writeStringField("pcomm", e.comm());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("ppid", e.ppid());
            g.writeNumberField("tid", e.tid());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeNumberField("age_s", Math.round(e.ageSeconds() * 1e6) / 1e6);
            g.writeNumberField("exit_code", e.exitCode());
            g.writeNumberField("sig", e.signal());
            g.writeBooleanField("core_dumped", e.coreDumped());
        }
    }
}
