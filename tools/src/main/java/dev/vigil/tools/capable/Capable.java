package dev.vigil.tools.capable;

import com.fasterxml.jackson.core.JsonGenerator;
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
 * capable: capability checks with their verdict, columns as libbpf-tools':
 * {@code TIME UID PID [TID] COMM CAP NAME AUDIT [INSETID] VERDICT}. Where kprobes exist, libbpf-tools' kprobe
 * and kretprobe on cap_capable (cap_opt gives AUDIT and INSETID); else capability:cap_capable, which carries
 * no cap_opt, so AUDIT and INSETID print as "-". The feature probe picks ({@link BpfTool#variant()}).
 */
public final class Capable {
    static final String OBJECT = "/bpf/capable.bpf.o";
    private static final String[] CAPS = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

    private Capable() {}

    /** -u: one line per (process, capability) or (cgroup, capability), deduplicated in the kernel. */
    public enum Unique { OFF, PID, CGROUP }

    /** @param extra -x: TID and INSETID columns */
    public record Options(ToolFilters filters, Unique unique, boolean extra) {
        public static Options defaults() {
            return new Options(ToolFilters.NONE, Unique.OFF, false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, unique, extra); }
        public Options withUnique(Unique u) { return new Options(filters, u, extra); }
    }

    public static String capName(int cap) {
        return cap >= 0 && cap < CAPS.length ? CAPS[cap] : "CAP_" + cap;
    }

    /** struct capable_event (bpf/include/vigil/capable.h). */
    public record Event(long bootTimeNs, int pid, int tid, int uid, int cap, int ret, int audit, int insetid, String comm) {
        static final StructView LAYOUT = StructView.builder("capable_event", 56)
                .field("ts_ns", 0, 8).field("pid", 8, 4).field("tid", 12, 4).field("uid", 16, 4).field("cap", 20, 4)
                .field("ret", 24, 4).field("audit", 28, 4).field("insetid", 32, 4).field("comm", 40, 16).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 12), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 16),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 20), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 28), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 32),
                    ToolOutput.cString(d, o + 40, 16));
        }

        public String verdict() {
            return ret == 0 ? "allow" : "deny";
        }
    }

    public static BpfTool start(Options o) {
        return BpfTool.builder("capable", OBJECT)
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("unique_by", o.unique().ordinal())
                .ring("events")
                .attachOneOf(
                        BpfTool.Variant.of("kprobe", "kprobe_cap_capable", Hook.kprobe("cap_capable"))
                                .and("kretprobe_cap_capable", Hook.kretprobe("cap_capable")),
                        BpfTool.Variant.of("tracepoint", "handle_cap_capable", Hook.tracepoint("capability", "cap_capable")))
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
            l.left("TIME", 8).ch(' ').left("UID", 6).ch(' ').left("PID", 6).ch(' ');
            if (o.extra()) l.left("TID", 6).ch(' ');
            l.left("COMM", 16).ch(' ').left("CAP", 4).ch(' ').left("NAME", 20).ch(' ').left("AUDIT", 6).ch(' ');
            if (o.extra()) l.left("INSETID", 7).ch(' ');
            l.str("VERDICT").nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            l.str(ToolOutput.hms()).ch(' ').decLeft(Integer.toUnsignedLong(e.uid()), 6).ch(' ').decLeft(e.pid(), 6).ch(' ');
            if (o.extra()) l.decLeft(e.tid(), 6).ch(' ');
            l.left(e.comm(), 16).ch(' ').decLeft(e.cap(), 4).ch(' ').left(capName(e.cap()), 20).ch(' ')
                    .left(e.audit() < 0 ? "-" : Integer.toString(e.audit()), 6).ch(' ');
            if (o.extra()) l.left(e.insetid() < 0 ? "-" : Integer.toString(e.insetid()), 7).ch(' ');
            l.str(e.verdict()).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeStringField("time", ToolOutput.hms());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("cap", e.cap());
            g.writeStringField("name", capName(e.cap()));
            if (e.audit() >= 0) g.writeNumberField("audit", e.audit());     // kprobe variant only
            if (e.insetid() >= 0) g.writeNumberField("insetid", e.insetid());
            g.writeStringField("verdict", e.verdict());
        }
    }
}
