package dev.vigil.tools.mountsnoop;

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
import java.util.ArrayList;
import java.util.List;

/**
 * mountsnoop: mount, umount and the new mount API (fsopen, fsmount, move_mount), columns as libbpf-tools':
 * {@code [TIME] COMM PID TID MNT_NS CALL}, the call written out as C ({@code mount("none", "/mnt", "tmpfs",
 * MS_NOSUID, "") = 0}); -d prints one field a line.
 */
public final class MountSnoop {
    static final String OBJECT = "/bpf/mountsnoop.bpf.o";
    public static final String[] CALLS = {"mount", "umount", "fsopen", "fsmount", "move_mount"};
    private static final String[] MS = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS", "MS_REMOUNT",
        "MS_MANDLOCK", "MS_DIRSYNC", "MS_NOSYMFOLLOW", null, "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_MOVE", "MS_REC",
        "MS_SILENT", "MS_POSIXACL", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME", "MS_KERNMOUNT",
        "MS_I_VERSION", "MS_STRICTATIME", "MS_LAZYTIME"};
    private static final String[] MNT = {"MNT_FORCE", "MNT_DETACH", "MNT_EXPIRE", "UMOUNT_NOFOLLOW"};

    private MountSnoop() {}

    /** @param time -t: a TIME column; @param detailed -d: one field a line */
    public record Options(ToolFilters filters, boolean time, boolean detailed) {
        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, false);
        }
    }

    /** struct mountsnoop_event (bpf/include/vigil/mountsnoop.h). */
    public record Event(long bootTimeNs, long flags, long arg, int pid, int tid, long mntNs, int ret, int call, int arg2,
            String comm, String src, String dest, String fs, String data) {
        static final StructView LAYOUT = StructView.builder("mountsnoop_event", 544)
                .field("ts_ns", 0, 8).field("flags", 8, 8).field("arg", 16, 8).field("pid", 24, 4).field("tid", 28, 4)
                .field("mnt_ns", 32, 4).field("ret", 36, 4).field("call", 40, 4).field("arg2", 44, 4).field("comm", 48, 16)
                .field("src", 64, 128).field("dest", 192, 256).field("fs", 448, 32).field("data", 480, 64).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 16), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 24),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 28), Integer.toUnsignedLong(d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 32)),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 36), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 40),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 44), ToolOutput.cString(d, o + 48, 16), ToolOutput.cString(d, o + 64, 128),
                    ToolOutput.cString(d, o + 192, 256), ToolOutput.cString(d, o + 448, 32), ToolOutput.cString(d, o + 480, 64));
        }

        public String callName() {
            return call >= 0 && call < CALLS.length ? CALLS[call] : "?";
        }

        /** The call as C, with its result. */
        public String callText() {
            String q = "\"";
            String args = switch (call) {
                case 0 -> q + src + q + ", " + q + dest + q + ", " + q + fs + q + ", " + flagNames(flags, MS) + ", " + q + data + q;
                case 1 -> q + dest + q + ", " + flagNames(flags, MNT);
                case 2 -> q + fs + q + ", 0x" + Long.toHexString(flags);
                case 3 -> arg + ", 0x" + Long.toHexString(flags) + ", 0x" + Integer.toHexString(arg2);
                case 4 -> arg + ", " + q + src + q + ", " + arg2 + ", " + q + dest + q + ", 0x" + Long.toHexString(flags);
                default -> "";
            };
            return callName() + "(" + args + ") = " + ret;
        }
    }

    static String flagNames(long flags, String[] names) {
        if (flags == 0) {
            return "0x0";
        }
        List<String> out = new ArrayList<>();
        long rest = flags;
        for (int bit = 0; bit < names.length; bit++) {
            if ((flags & (1L << bit)) != 0 && names[bit] != null) {
                out.add(names[bit]);
                rest &= ~(1L << bit);
            }
        }
        if (rest != 0) {
            out.add("0x" + Long.toHexString(rest));
        }
        return String.join(" | ", out);
    }

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("mountsnoop", OBJECT).layout(Event.LAYOUT).filters(o.filters()).ring("events");
        for (String c : CALLS) {
            b.attachIfExists("handle_exit_" + c, new Hook.Tracepoint("syscalls", "sys_exit_" + c));
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
            if (o.detailed()) return;
            LineBuffer l = out.line();
            if (o.time()) l.left("TIME", 8).ch(' ');
            l.left("COMM", 16).ch(' ').left("PID", 7).ch(' ').left("TID", 7).ch(' ').left("MNT_NS", 11).ch(' ').str("CALL").nl();
        }

        @Override
        protected void columns(Event e) {
            LineBuffer l = out.line();
            if (o.detailed()) {
                l.str("PID:    ").dec(e.pid()).nl().str("TID:    ").dec(e.tid()).nl().str("COMM:   ").str(e.comm()).nl()
                        .str("OP:     ").str(e.callName().toUpperCase()).nl().str("RET:    ").dec(e.ret()).nl()
                        .str("MNT_NS: ").dec(e.mntNs()).nl().str("FS:     ").str(e.fs()).nl().str("SOURCE: ").str(e.src()).nl()
                        .str("TARGET: ").str(e.dest()).nl().str("DATA:   ").str(e.data()).nl()
                        .str("FLAGS:  ").str(flagNames(e.flags(), e.call() == 1 ? MNT : MS)).nl().nl();
                return;
            }
            if (o.time()) l.str(ToolOutput.hms()).ch(' ');
            l.left(e.comm(), 16).ch(' ').decLeft(e.pid(), 7).ch(' ').decLeft(e.tid(), 7).ch(' ').decLeft(e.mntNs(), 11).ch(' ')
                    .str(e.callText()).nl();
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeStringField("comm", e.comm());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeNumberField("mnt_ns", e.mntNs());
            g.writeStringField("call", e.callName());
            g.writeStringField("source", e.src());
            g.writeStringField("target", e.dest());
            g.writeStringField("fs", e.fs());
            g.writeStringField("data", e.data());
            g.writeNumberField("flags", e.flags());
            g.writeNumberField("ret", e.ret());
        }
    }
}
