package dev.vigil.tools.opensnoop;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.ToolPrinter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * opensnoop: every open(), openat() and openat2() with its result, from the syscall exit tracepoints
 * (bpf/opensnoop.bpf.c), columns as libbpf-tools': {@code [TIME] [UID] PID COMM FD ERR [FLAGS] PATH}.
 */
public final class OpenSnoop {
    static final String OBJECT = "/bpf/opensnoop.bpf.o";
    static final int COMM_LEN = 16;
    static final int PATH_LEN = 256;

    private OpenSnoop() {}

    /**
     * @param failed -x: failed opens only (kernel)
     * @param name -n: comm contains (kernel)
     * @param time -T: a TIME (HH:MM:SS) column
     * @param printUid -U: a UID column
     * @param extended -e: a FLAGS column (octal)
     * @param fullPath -F (BCC's --full-path): a relative path is printed with the directory it was opened in
     *     (the cwd, or the dirfd's), found in the kernel at the open
     */
    public record Options(ToolFilters filters, boolean failed, String name, boolean time, boolean printUid, boolean extended,
            boolean fullPath) {
        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, null, false, false, false, false);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, failed, name, time, printUid, extended, fullPath); }
        public Options withFailed(boolean v) { return new Options(filters, v, name, time, printUid, extended, fullPath); }
        public Options withName(String v) { return new Options(filters, failed, v, time, printUid, extended, fullPath); }
        public Options withFullPath(boolean v) { return new Options(filters, failed, name, time, printUid, extended, v); }
    }

    /**
     * struct opensnoop_event (bpf/include/vigil/opensnoop.h); {@code path} is the full path for an
     * opensnoop_full_event (-F and a relative path).
     */
    public record Event(long bootTimeNs, long flags, int pid, int tid, int uid, int ret, int mode, int dirfd, String comm, String path) {
        static final StructView LAYOUT = StructView.builder("opensnoop_event", 312)
                .field("ts_ns", 0, 8).field("flags", 8, 8).field("pid", 16, 4).field("tid", 20, 4)
                .field("uid", 24, 4).field("ret", 28, 4).field("mode", 32, 4).field("dirfd", 36, 4)
                .field("comm", 40, COMM_LEN).field("path", 56, PATH_LEN).build();
        static final long TS = 0, FLAGS = 8, PID = 16, TID = 20, UID = 24, RET = 28, MODE = 32, DIRFD = 36, COMM = 40, PATH = 56;
        /** struct opensnoop_full_event: the record, then the directory's names. */
        static final StructView FULL_LAYOUT = StructView.builder("opensnoop_full_event", 1088)
                .field("base", 0, 312).field("depth", 312, 4).field("truncated", 316, 4).field("dir", 320, 768).build();
        static final long DEPTH = 312, TRUNCATED = 316, DIR = 320;
        static final int MAX_DEPTH = 32;

        /** A ring record of {@code length} bytes: the plain record or, with -F, the full one. */
        public static Event decode(MemorySegment d, long o, int length) {
            Event e = decode(d, o);
            if (length < FULL_LAYOUT.size()) {
                return e;
            }
            return new Event(e.bootTimeNs, e.flags, e.pid, e.tid, e.uid, e.ret, e.mode, e.dirfd, e.comm, fullPath(d, o));
        }

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + TS), d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + FLAGS),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + PID), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + TID),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + UID), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + RET),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + MODE), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + DIRFD),
                    ToolOutput.cString(d, o + COMM, COMM_LEN), ToolOutput.cString(d, o + PATH, PATH_LEN));
        }

        /** The FD column: the descriptor, or -1 for a failed open. */
        public int fd() { return ret >= 0 ? ret : -1; }

        /** The ERR column: the errno of a failed open, else 0. */
        public int err() { return ret >= 0 ? 0 : -ret; }
    }

    private static final long DIR_END = Event.DIR + 768;

    /** Where each of a full record's directory names starts, innermost first. */
    private static long[] dirNames(MemorySegment d, long o) {
        int depth = Math.clamp(d.get(ValueLayout.JAVA_INT_UNALIGNED, o + Event.DEPTH), 0, Event.MAX_DEPTH);
        long[] starts = new long[depth];
        long at = o + Event.DIR;
        int n = 0;
        for (; n < depth && at < o + DIR_END; n++) {
            starts[n] = at;
            while (at < o + DIR_END && d.get(ValueLayout.JAVA_BYTE, at) != 0) {
                at++;
            }
            at++;
        }
        return n == depth ? starts : java.util.Arrays.copyOf(starts, n);
    }

    private static boolean truncated(MemorySegment d, long o) {
        return d.get(ValueLayout.JAVA_INT_UNALIGNED, o + Event.TRUNCATED) != 0;
    }

    /**
     * A full record's path: "/" and the directory's names outermost first, then the path as given ("..."
     * first where the kernel's walk stopped short of the root).
     */
    static void fullPath(MemorySegment d, long o, LineBuffer l) {
        long[] names = dirNames(d, o);
        if (truncated(d, o)) {
            l.str("...");
        }
        for (int i = names.length - 1; i >= 0; i--) {
            l.ch('/').cstr(d, names[i], (int) (o + DIR_END - names[i]));
        }
        l.ch('/').cstr(d, o + Event.PATH, PATH_LEN);
    }

    static String fullPath(MemorySegment d, long o) {
        long[] names = dirNames(d, o);
        StringBuilder s = new StringBuilder(truncated(d, o) ? "..." : "");
        for (int i = names.length - 1; i >= 0; i--) {
            s.append('/').append(ToolOutput.cString(d, names[i], (int) (o + DIR_END - names[i])));
        }
        return s.append('/').append(ToolOutput.cString(d, o + Event.PATH, PATH_LEN)).toString();
    }

    /** Loads and attaches (openat2 only where this kernel has it). */
    public static BpfTool start(Options o) {
        return BpfTool.builder("opensnoop", OBJECT)
                .layout(Event.LAYOUT)
                .layout(Event.FULL_LAYOUT)
                .constant("full_path", o.fullPath() ? 1 : 0)
                .filters(o.filters())
                .nameContains(o.name())
                .constant("targ_failed", o.failed() ? 1 : 0)
                .ring("events")
                .attachIfExists("handle_exit_open", new Hook.Tracepoint("syscalls", "sys_exit_open"))
                .attach("handle_exit_openat", Hook.tracepoint("syscalls", "sys_exit_openat"))
                .attachIfExists("handle_exit_openat2", new Hook.Tracepoint("syscalls", "sys_exit_openat2"))
                .start();
    }

    /** libbpf-tools' columns straight from the record (no per-event objects), or one JSON object a line. */
    public static final class Printer extends ToolPrinter<Event> {
        private final Options o;

        public Printer(ToolOutput out, Options options) {
            super(out);
            this.o = options;
        }

        @Override
        protected void heading() {
            LineBuffer l = out.line();
            if (o.time()) l.left("TIME", 8).ch(' ');
            if (o.printUid()) l.left("UID", 7).ch(' ');
            l.left("PID", 6).ch(' ').left("COMM", 16).ch(' ').right("FD", 3).ch(' ').right("ERR", 3).ch(' ');
            if (o.extended()) l.left("FLAGS", 8).ch(' ');
            l.str("PATH").nl();
        }

        public void print(MemorySegment d, long at) {
            print(d, at, (int) Event.LAYOUT.size());
        }

        /** One ring record of {@code length} bytes (a full record with -F and a relative path). */
        public void print(MemorySegment d, long at, int length) {
            if (out.json()) {
                object(Event.decode(d, at, length));
                return;
            }
            int ret = d.get(ValueLayout.JAVA_INT_UNALIGNED, at + Event.RET);
            LineBuffer l = out.line();
            if (o.time()) l.str(ToolOutput.hms()).ch(' ');
            if (o.printUid()) l.decLeft(Integer.toUnsignedLong(d.get(ValueLayout.JAVA_INT_UNALIGNED, at + Event.UID)), 7).ch(' ');
            l.decLeft(d.get(ValueLayout.JAVA_INT_UNALIGNED, at + Event.PID), 6).ch(' ')
                    .cstrLeft(d, at + Event.COMM, COMM_LEN, 16).ch(' ')
                    .decRight(ret >= 0 ? ret : -1, 3).ch(' ')
                    .decRight(ret >= 0 ? 0 : -ret, 3).ch(' ');
            if (o.extended()) l.octal(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + Event.FLAGS), 8).ch(' ');
            if (length >= Event.FULL_LAYOUT.size()) {
                fullPath(d, at, l);
                l.nl();
            } else {
                l.cstr(d, at + Event.PATH, PATH_LEN).nl();
            }
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            if (o.time()) g.writeStringField("time", ToolOutput.hms());
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("fd", e.fd());
            g.writeNumberField("err", e.err());
            g.writeNumberField("flags", e.flags());
            g.writeNumberField("mode", e.mode());
            g.writeStringField("path", e.path());
        }
    }
}
