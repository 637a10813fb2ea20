package dev.vigil.tools.uprobe;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.EventPrinter;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * gethostlatency: host name lookups through libc (getaddrinfo, gethostbyname, gethostbyname2) with
 * their latency (libbpf-tools' gethostlatency), by uprobes and uretprobes on the libc given with -l, else
 * the one mapped into -p PID, else this machine's.
 */
public final class GetHostLatency {
    static final List<String> FUNCTIONS = List.of("getaddrinfo", "gethostbyname", "gethostbyname2");

    public record Options(ToolFilters filters, Path libc) {}

    /** {@code struct vigil_gethost_event} (bpf/include/vigil/gethostlatency.h). */
    public record Event(long bootTimeNs, long latencyNs, int pid, int tid, String comm, String host) {
        public static final StructView LAYOUT = StructView.builder("vigil_gethost_event", 120)
                .field("ts_ns", 0, 8)
                .field("latency_ns", 8, 8)
                .field("pid", 16, 4)
                .field("tid", 20, 4)
                .field("comm", 24, 16)
                .field("host", 40, 80)
                .build();

        public static Event decode(MemorySegment d, long at) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 16), d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 20),
                    ToolOutput.cString(d, at + 24, 16), ToolOutput.cString(d, at + 40, 80));
        }
    }

    private GetHostLatency() {}

    /** -l LIBC, or the libc of -p PID, or this machine's. */
    public static Path libc(String given, Integer pid) {
        return UserBinaries.find(given != null ? given : "c", pid);
    }

    public static BpfTool start(Options o) {
        int pid = o.filters().pid() != null ? o.filters().pid() : -1;
        BpfTool.Variant probes = null;
        for (String f : FUNCTIONS) {
            BpfTool.Variant v = BpfTool.Variant.of("uprobe", "lookup_entry", new Hook.Uprobe(o.libc(), f, false, pid))
                    .and("lookup_return", new Hook.Uprobe(o.libc(), f, true, pid));
            probes = probes == null ? v : probes.andAll(v);
        }
        return BpfTool.builder("gethostlatency", "/bpf/gethostlatency.bpf.o")
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .attachOneOf(probes)
                .ring("events")
                .start();
    }

    /** libbpf-tools' columns: {@code TIME PID COMM LATms HOST}. */
    public static final class Printer extends EventPrinter<Event> {

        public Printer(ToolOutput out) {
            super(out);
        }

        @Override
        protected void heading() {
            out.printf("%-8s %-7s %-16s %-10s %s%n", "TIME", "PID", "COMM", "LATms", "HOST");
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeNumberField("ts_ns", e.bootTimeNs());
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("tid", e.tid());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("latency_ns", e.latencyNs());
            g.writeStringField("host", e.host());
        }

        @Override
        protected void columns(Event e) {
            out.printf("%-8s %-7d %-16s %-10.3f %s%n", ToolOutput.hms(), e.pid(), e.comm(), e.latencyNs() / 1e6, e.host());
        }
    }
}
