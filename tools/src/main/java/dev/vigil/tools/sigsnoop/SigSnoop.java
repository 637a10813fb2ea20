package dev.vigil.tools.sigsnoop;

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
 * sigsnoop and killsnoop ({@code -k}): signals, columns as libbpf-tools' plus the target's comm:
 * {@code TIME PID COMM SIG TPID TCOMM RESULT}. Without -k every generated signal (signal:signal_generate;
 * RESULT is the kernel's: 0 delivered, 1 ignored, 2 already pending, 3 overflow, 4 info lost); with -k
 * the kill/tkill/tgkill syscalls (RESULT 0 or -errno, failed kills included).
 */
public final class SigSnoop {
    static final String OBJECT = "/bpf/sigsnoop.bpf.o";
    private static final String[] SYSCALLS = {"signal_generate", "kill", "tkill", "tgkill"};

    private SigSnoop() {}

    /**
     * @param filters -p: the sender
     * @param killOnly -k: signals sent by kill/tkill/tgkill only, failures included
     * @param failed -x: failed (-k) or undelivered signals only
     * @param signal -s: this signal only, 0 for all
     * @param names -n: signal names instead of numbers
     */
    public record Options(ToolFilters filters, boolean killOnly, boolean failed, int signal, boolean names) {
        public Options {
            if (signal < 0 || signal > 64) {
                throw new IllegalArgumentException("-s SIGNAL must be a signal number (1-64) or name, got " + signal);
            }
        }

        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, false, 0, false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, killOnly, failed, signal, names); }
        public Options withKillOnly(boolean v) { return new Options(filters, v, failed, signal, names); }
        public Options withFailed(boolean v) { return new Options(filters, killOnly, v, signal, names); }
        public Options withSignal(int v) { return new Options(filters, killOnly, failed, v, names); }
    }

    /** struct sigsnoop_event (bpf/include/vigil/sigsnoop.h). */
    public record Event(long bootTimeNs, int pid, int tpid, int sig, int result, int uid, int syscall, String comm, String tcomm) {
        static final StructView LAYOUT = StructView.builder("sigsnoop_event", 64)
                .field("ts_ns", 0, 8).field("pid", 8, 4).field("tpid", 12, 4).field("sig", 16, 4).field("result", 20, 4)
                .field("uid", 24, 4).field("syscall", 28, 4).field("comm", 32, 16).field("tcomm", 48, 16).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 12), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 16),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 20), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 28), ToolOutput.cString(d, o + 32, 16), ToolOutput.cString(d, o + 48, 16));
        }

        /** signal_generate, kill, tkill or tgkill. */
        public String source() {
            return syscall >= 0 && syscall < SYSCALLS.length ? SYSCALLS[syscall] : "?";
        }
    }

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder(o.killOnly() ? "killsnoop" : "sigsnoop", OBJECT)
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("kill_only", o.killOnly() ? 1 : 0)
                .constant("failed_only", o.failed() ? 1 : 0)
                .constant("target_signal", o.signal())
                .ring("events")
                .attach("handle_signal_generate", Hook.tracepoint("signal", "signal_generate"));
        if (o.killOnly()) {
            b.attach("handle_exit_kill", Hook.tracepoint("syscalls", "sys_exit_kill"))
                    .attach("handle_exit_tkill", Hook.tracepoint("syscalls", "sys_exit_tkill"))
                    .attach("handle_exit_tgkill", Hook.tracepoint("syscalls", "sys_exit_tgkill"));
        }
        return b.start();
    }

    public static final class Printer extends EventPrinter<Event> {
        private final Options o;

        public Printer(ToolOutput out, Options options) {
            super(out);
            this.o = options;
        }

        @Override
        protected void heading() {
            out.line().left("TIME", 8).ch(' ').left("PID", 7).ch(' ').left("COMM", 16).ch(' ').left("SIG", 9).ch(' ')
                    .left("TPID", 7).ch(' ').left("TCOMM", 16).ch(' ').left("RESULT", 6).nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            l.str(ToolOutput.hms()).ch(' ').decLeft(e.pid(), 7).ch(' ').left(e.comm(), 16).ch(' ');
            if (o.names()) l.left(SignalNames.name(e.sig()), 9); else l.decLeft(e.sig(), 9);
            l.ch(' ').decLeft(e.tpid(), 7).ch(' ').left(e.tcomm().isEmpty() ? "?" : e.tcomm(), 16).ch(' ').decLeft(e.result(), 6).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeStringField("time", ToolOutput.hms());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeStringField("comm", e.comm());
            g.writeNumberField("sig", e.sig());
            g.writeStringField("sig_name", SignalNames.name(e.sig()));
            g.writeNumberField("tpid", e.tpid());
            g.writeStringField("tcomm", e.tcomm());
            g.writeNumberField("result", e.result());
            g.writeStringField("source", e.source());
        }
    }
}
