package dev.vigil.tools.block;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * biolatency: block I/O latency histograms, issue (or -Q insert) to completion, from the block_rq_*
 * tracepoints (bpf/biolatency.bpf.c: tp_btf, raw_tp where BTF tracepoints are missing).
 */
public final class BioLatency {
    /**
     * @param disk -d: only this disk (its number from {@link Disks#number}), or null
     * @param perDisk -D, @param perFlag -F, @param queued -Q, @param millis -m
     */
    public record Options(Integer disk, boolean perDisk, boolean perFlag, boolean queued, boolean millis) {}

    /** One histogram: the disk (with -D) and request flags (with -F), else 0. */
    public record Entry(int disk, int flags, Log2Histogram histogram) {}

    static final StructView KEY = StructView.builder("biolatency_key", 8).field("dev", 0, 4).field("flags", 4, 4).build();

    private BioLatency() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("biolatency", "/bpf/biolatency.bpf.o")
                .layout(KEY)
                .filters(ToolFilters.NONE)
                .constant("targ_per_disk", o.perDisk() ? 1 : 0)
                .constant("targ_per_flag", o.perFlag() ? 1 : 0)
                .constant("targ_queued", o.queued() ? 1 : 0)
                .constant("targ_ms", o.millis() ? 1 : 0)
                .constant("filter_dev", o.disk() != null ? 1 : 0)
                .constant("targ_dev", o.disk() != null ? o.disk() : 0)
                .attachOneOf(
                        BpfTool.Variant.of("tp_btf", "block_rq_insert_btf", Hook.btfTracepoint("block_rq_insert"))
                                .and("block_rq_issue_btf", Hook.btfTracepoint("block_rq_issue"))
                                .and("block_rq_complete_btf", Hook.btfTracepoint("block_rq_complete")),
                        BpfTool.Variant.of("raw_tp", "block_rq_insert_raw", Hook.rawTracepoint("block_rq_insert"))
                                .and("block_rq_issue_raw", Hook.rawTracepoint("block_rq_issue"))
                                .and("block_rq_complete_raw", Hook.rawTracepoint("block_rq_complete")))
                .start();
    }

    /** The histograms so far, emptied (per interval, as libbpf-tools does). */
    public static List<Entry> drain(BpfTool tool) {
        List<Entry> out = new ArrayList<>();
        for (Log2Histogram.Keyed k : Log2Histogram.drain(tool.map("hists"))) {
            out.add(new Entry(BpfMap.readU32(k.key(), 0), BpfMap.readU32(k.key(), 4), k.histogram()));
        }
        out.sort(Comparator.comparingInt(Entry::disk).thenComparingInt(Entry::flags));
        return out;
    }

    /** The request's operation and the common modifiers, as "Sync-Write" (REQ_OP in the low 8 bits). */
    static String flagNames(int flags) {
        String[] ops = {"Read", "Write", "Flush", "Discard", "Op4", "SecureErase", "Op6", "Op7", "Op8", "WriteZeroes"};
        int op = flags & 0xff;
        String name = op < ops.length ? ops[op] : "Op" + op;
        return ((flags & (1 << 11)) != 0 ? "Sync-" : "") + name;
    }

    public static void print(ToolOutput out, List<Entry> entries, Options o, boolean time) {
        out.printHistograms(entries, Entry::histogram, o.millis() ? "msecs" : "usecs", time, new ToolOutput.HistogramLabels<>() {
            @Override
            public void json(JsonGenerator g, Entry e) throws IOException {
                if (o.perDisk()) {
                    g.writeStringField("disk", Disks.name(e.disk()));
                }
                if (o.perFlag()) {
                    g.writeStringField("flags", flagNames(e.flags()));
                }
            }

            @Override
            public void text(ToolOutput out, Entry e) {
                if (o.perDisk()) {
                    out.printf("%ndisk = %s\t", Disks.name(e.disk()));
                }
                if (o.perFlag()) {
                    out.printf("%sflags = %s", o.perDisk() ? "" : "\n", flagNames(e.flags()));
                }
                if (o.perDisk() || o.perFlag()) {
                    out.print("\n");
                }
            }
        });
    }
}
