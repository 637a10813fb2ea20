package dev.vigil.tools.syscount;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.events.Syscalls;
import dev.vigil.tools.LineBuffer;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * syscount: syscalls counted in the kernel (raw_syscalls:sys_exit; sys_enter too with -L), top N by count
 * (by time with -L), per syscall or per process (-P), printed as libbpf-tools' syscount does.
 */
public final class SysCount {
    static final String OBJECT = "/bpf/syscount.bpf.o";

    private SysCount() {}

    /**
     * @param failed -x: failed syscalls only; @param errno -e: only those failing with this errno (0: any)
     * @param latency -L; @param millis -m: latency in ms; @param byProcess -P; @param top -T
     */
    public record Options(ToolFilters filters, boolean failed, int errno, boolean latency, boolean millis, boolean byProcess, int top) {
        public Options {
            if (top <= 0) throw new IllegalArgumentException("-T TOP must be a positive number, got " + top);
            if (errno < 0) throw new IllegalArgumentException("-e ERRNO must be a positive errno number or name, got " + errno);
        }

        public static Options defaults() {
            return new Options(ToolFilters.NONE, false, 0, false, false, false, 10);
        }

        public Options withFilters(ToolFilters f) { return new Options(f, failed, errno, latency, millis, byProcess, top); }
        public Options withLatency(boolean v) { return new Options(filters, failed, errno, v, millis, byProcess, top); }
        public Options withByProcess(boolean v) { return new Options(filters, failed, errno, latency, millis, v, top); }
        public Options withFailed(boolean v) { return new Options(filters, v, errno, latency, millis, byProcess, top); }
    }

    /** struct syscount_value, summed over CPUs; key is the syscall number or, with -P, the pid. */
    public record Row(int key, long count, long totalNs, String comm) {
        static final StructView LAYOUT = StructView.builder("syscount_value", 32)
                .field("count", 0, 8).field("total_ns", 8, 8).field("comm", 16, 16).build();
    }

    /** The x86-64 syscall name of a number ("[N]" if unknown). */
    public static String syscallName(int nr) {
        String n = Syscalls.name(nr);
        return n != null ? n : "[" + nr + "]";
    }

    /** Every known syscall, by number (-l). */
    public static Map<Integer, String> syscalls() {
        return Syscalls.all();
    }

    /** A syscall's number by name, or -1. */
    public static int syscallNumber(String name) {
        return Syscalls.number(name);
    }

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("syscount", OBJECT)
                .layout(Row.LAYOUT)
                .filters(o.filters())
                .constant("filter_failed", o.failed() ? 1 : 0)
                .constant("filter_errno", o.errno())
                .constant("measure_latency", o.latency() ? 1 : 0)
                .constant("count_by_process", o.byProcess() ? 1 : 0)
                .attach("sys_exit", Hook.tracepoint("raw_syscalls", "sys_exit"));
        if (o.latency()) {
            b.attach("sys_enter", Hook.tracepoint("raw_syscalls", "sys_enter"));
        }
        return b.start();
    }

    /** Reads and clears the counters: the rows of this interval, largest first (by time with -L). */
    public static List<Row> drain(BpfTool tool, Options o) {
        BpfMap counts = tool.map("counts");
        List<Row> rows = new ArrayList<>();
        for (byte[] key : counts.keys()) {
            counts.lookupPerCpu(key).ifPresent(perCpu -> {
                long count = 0, ns = 0;
                String comm = "";
                for (byte[] v : perCpu) {
                    ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
                    count += b.getLong(0);
                    ns += b.getLong(8);
                    if (comm.isEmpty() && v[16] != 0) {
                        int n = 0;
                        while (n < 16 && v[16 + n] != 0) n++;
                        comm = new String(v, 16, n, StandardCharsets.UTF_8);
                    }
                }
                rows.add(new Row(BpfMap.readU32(key, 0), count, ns, comm));
            });
            counts.delete(key);
        }
        rows.sort(o.latency() ? Comparator.comparingLong(Row::totalNs).reversed() : Comparator.comparingLong(Row::count).reversed());
        return rows;
    }

    public static final class Printer {
        private final ToolOutput out;
        private final Options o;

        public Printer(ToolOutput out, Options options) {
            this.out = out;
            this.o = options;
        }

        /** libbpf-tools' start line. */
        public void banner() {
            if (!out.json()) {
                out.line().str("Tracing syscalls, printing top " + o.top() + "... Ctrl+C to quit.").nl();
            }
        }

        public void print(List<Row> rows) {
            List<Row> top = rows.subList(0, Math.min(o.top(), rows.size()));
            if (out.json()) {
                json(top);
                return;
            }
            LineBuffer l = out.line();
            l.ch('[').str(ToolOutput.hms()).ch(']').nl();
            if (o.byProcess()) l.left("PID", 6).ch(' ').left("COMM", 15).ch(' '); else l.left("SYSCALL", 22).ch(' ');
            l.right("COUNT", 8);
            if (o.latency()) l.ch(' ').right(o.millis() ? "TIME (ms)" : "TIME (us)", 16);
            l.nl();
            for (Row r : top) {
                if (o.byProcess()) l.decLeft(r.key(), 6).ch(' ').left(r.comm(), 15).ch(' '); else l.left(syscallName(r.key()), 22).ch(' ');
                l.decRight(r.count(), 8);
                if (o.latency()) {
                    // %16.3lf of us or ms: the time in ns/1000 (us) or ns/1000000 (ms), 3 decimals
                    long units = o.millis() ? Math.round(r.totalNs() / 1e3) : r.totalNs();
                    String s = String.format("%.3f", units / 1e3);
                    l.ch(' ').right(s, 16);
                }
                l.nl();
            }
            l.nl();
        }

        private void json(List<Row> rows) {
            try {
                JsonGenerator g = out.beginObject();
                g.writeStringField("time", ToolOutput.hms());
                g.writeArrayFieldStart(o.byProcess() ? "processes" : "syscalls");
                for (Row r : rows) {
                    g.writeStartObject();
                    if (o.byProcess()) {
                        g.writeNumberField("pid", r.key());
                        g.writeStringField("comm", r.comm());
                    } else {
                        g.writeNumberField("nr", r.key());
                        g.writeStringField("syscall", syscallName(r.key()));
                    }
                    g.writeNumberField("count", r.count());
                    if (o.latency()) g.writeNumberField("total_ns", r.totalNs());
                    g.writeEndObject();
                }
                g.writeEndArray();
                out.endObject();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
