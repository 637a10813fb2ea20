package dev.vigil.tools.block;

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
import java.util.HashMap;
import java.util.Map;

/**
 * biosnoop: every block I/O request at completion with its issuer, disk, operation, sector, size and
 * latency (libbpf-tools' biosnoop), from the block tracepoints (bpf/biosnoop.bpf.c): block_io_start
 * names the issuer where the kernel has it (6.5+), else the first of insert/issue does.
 */
public final class BioSnoop {
    /** @param disk -d: the disk's number ({@link Disks#number}), or null; @param queued -Q */
    public record Options(ToolFilters filters, Integer disk, boolean queued) {
        public Options {
            if (filters.pid() != null || filters.tid() != null || filters.uid() != null) {
                throw new IllegalArgumentException("biosnoop filters by -c CGROUP and -d DISK only");
            }
        }
    }

    /** {@code struct vigil_biosnoop_event} (bpf/include/vigil/biosnoop.h). */
    public record Event(long timeNs, long latencyNs, long queuedNs, long sector, int bytes, int pid, int dev, int cmdFlags,
            String rwbs, String comm) {
        /** VIGIL_BIOSNOOP_NO_QUEUE: the request did not pass through the I/O scheduler's queue. */
        public static final long NOT_QUEUED = -1;

        public static final StructView LAYOUT = StructView.builder("vigil_biosnoop_event", 72)
                .field("ts_ns", 0, 8)
                .field("delta_ns", 8, 8)
                .field("qdelta_ns", 16, 8)
                .field("sector", 24, 8)
                .field("bytes", 32, 4)
                .field("pid", 36, 4)
                .field("dev", 40, 4)
                .field("cmd_flags", 44, 4)
                .field("rwbs", 48, 8)
                .field("comm", 56, 16)
                .build();

        public static Event decode(MemorySegment d, long at) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, at), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 8),
                    d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 16), d.get(ValueLayout.JAVA_LONG_UNALIGNED, at + 24),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 32), d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 36),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 40), d.get(ValueLayout.JAVA_INT_UNALIGNED, at + 44),
                    ToolOutput.cString(d, at + 48, 8), ToolOutput.cString(d, at + 56, 16));
        }
    }

    private BioSnoop() {}

    public static BpfTool start(Options o) {
        boolean ioStart = BpfTool.tracepointExists("block", "block_io_start");
        BpfTool.Variant btf = BpfTool.Variant.of("tp_btf", "block_rq_insert_btf", Hook.btfTracepoint("block_rq_insert"))
                .and("block_rq_issue_btf", Hook.btfTracepoint("block_rq_issue"))
                .and("block_rq_complete_btf", Hook.btfTracepoint("block_rq_complete"));
        BpfTool.Variant raw = BpfTool.Variant.of("raw_tp", "block_rq_insert_raw", Hook.rawTracepoint("block_rq_insert"))
                .and("block_rq_issue_raw", Hook.rawTracepoint("block_rq_issue"))
                .and("block_rq_complete_raw", Hook.rawTracepoint("block_rq_complete"));
        if (ioStart) { // first, so the issuer is taken where the request starts
            btf = BpfTool.Variant.of("tp_btf", "block_io_start_btf", Hook.btfTracepoint("block_io_start")).andAll(btf);
            raw = BpfTool.Variant.of("raw_tp", "block_io_start_raw", Hook.rawTracepoint("block_io_start")).andAll(raw);
        }
        return BpfTool.builder("biosnoop", "/bpf/biosnoop.bpf.o")
                .layout(Event.LAYOUT)
                .filters(o.filters())
                .constant("targ_queued", o.queued() ? 1 : 0)
                .constant("filter_dev", o.disk() != null ? 1 : 0)
                .constant("targ_dev", o.disk() != null ? o.disk() : 0)
                .attachOneOf(btf, raw)
                .ring("events")
                .start();
    }

    /** libbpf-tools' columns: {@code TIME(s) COMM PID DISK T SECTOR BYTES [QUE(ms)] LAT(ms)}. */
    public static final class Printer extends EventPrinter<Event> {
        private final boolean queued;
        private final Map<Integer, String> disks = new HashMap<>();
        private long firstNs;

        public Printer(ToolOutput out, boolean queued) {
            super(out);
            this.queued = queued;
        }

        @Override
        protected void heading() {
            out.printf("%-11s %-14s %-7s %-7s %-1s %-10s %-7s ", "TIME(s)", "COMM", "PID", "DISK", "T", "SECTOR", "BYTES");
            if (queued) {
                out.printf("%7s ", "QUE(ms)");
            }
            out.printf("%7s%n", "LAT(ms)");
        }

        public String disk(int dev) {
            return disks.computeIfAbsent(dev, Disks::name);
        }

        @Override
        protected void fields(JsonGenerator g, Event e) throws IOException {
            g.writeNumberField("ts_ns", e.timeNs());
            g.writeStringField("comm", e.comm());
            g.writeNumberField("pid", e.pid());
            g.writeStringField("disk", disk(e.dev()));
            g.writeStringField("rwbs", e.rwbs());
            g.writeNumberField("sector", e.sector());
            g.writeNumberField("bytes", Integer.toUnsignedLong(e.bytes()));
            if (queued) {
                g.writeNumberField("queued_ns", e.queuedNs());
            }
            g.writeNumberField("latency_ns", e.latencyNs());
        }

        @Override
        protected void columns(Event e) {
            if (firstNs == 0) {
                firstNs = e.timeNs();
            }
            out.printf("%-11.6f %-14.14s %-7d %-7s %-1s %-10d %-7d ", (e.timeNs() - firstNs) / 1e9, e.comm(), e.pid(), disk(e.dev()),
                    e.rwbs(), e.sector(), Integer.toUnsignedLong(e.bytes()));
            if (queued) {
                out.printf("%7.3f ", e.queuedNs() == Event.NOT_QUEUED ? -1.0 : e.queuedNs() / 1e6);
            }
            out.printf("%7.3f%n", e.latencyNs() / 1e6);
        }
    }
}
