package dev.vigil.tools.sched;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * runqlat: run queue latency (wakeup or preemption to running) as log2 histograms, in the kernel
 * (bpf/runqlat.bpf.c on tp_btf sched_wakeup/_new/switch, raw_tp where BTF tracepoints are missing).
 */
public final class RunQLat {
    /** @param perProcess -P; @param perThread -L; @param millis -m */
    public record Options(ToolFilters filters, boolean perProcess, boolean perThread, boolean millis) {
        public Options {
            if (perProcess && perThread) {
                throw new IllegalArgumentException("-P and -L are mutually exclusive");
            }
            if (filters.uid() != null) {
                throw new IllegalArgumentException("runqlat has no -u filter");
            }
        }
    }

    /** One histogram: key is a pid (-P), a tid (-L) or -1 for all tasks. */
    public record Entry(int key, String comm, Log2Histogram histogram) {}

    static final int COMM_OFFSET = Log2Histogram.SLOTS * 4;
    static final StructView LAYOUT = StructView.builder("runqlat_hist", COMM_OFFSET + 16)
            .field("hist", 0, COMM_OFFSET)
            .field("comm", COMM_OFFSET, 16)
            .build();

    private RunQLat() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("runqlat", "/bpf/runqlat.bpf.o")
                .layout(LAYOUT)
                .filters(o.filters())
                .constant("targ_per_process", o.perProcess() ? 1 : 0)
                .constant("targ_per_thread", o.perThread() ? 1 : 0)
                .constant("targ_ms", o.millis() ? 1 : 0)
                .attachOneOf(
                        BpfTool.Variant.of("tp_btf", "sched_wakeup_btf", Hook.btfTracepoint("sched_wakeup"))
                                .and("sched_wakeup_new_btf", Hook.btfTracepoint("sched_wakeup_new"))
                                .and("sched_switch_btf", Hook.btfTracepoint("sched_switch")),
                        BpfTool.Variant.of("raw_tp", "sched_wakeup_raw", Hook.rawTracepoint("sched_wakeup"))
                                .and("sched_wakeup_new_raw", Hook.rawTracepoint("sched_wakeup_new"))
                                .and("sched_switch_raw", Hook.rawTracepoint("sched_switch")))
                .start();
    }

    /** The histograms so far, emptied (libbpf-tools resets them every interval), by key. */
    public static List<Entry> drain(BpfTool tool) {
        BpfMap hists = tool.map("hists");
        List<Entry> out = new ArrayList<>();
        for (byte[] key : hists.keys()) {
            hists.lookup(key).ifPresent(v -> {
                int n = 0;
                while (n < 16 && v[COMM_OFFSET + n] != 0) {
                    n++;
                }
                out.add(new Entry(BpfMap.readU32(key, 0), new String(v, COMM_OFFSET, n, StandardCharsets.UTF_8),
                        Log2Histogram.decode(v, 0)));
            });
            hists.delete(key);
        }
        out.sort(Comparator.comparingInt(Entry::key));
        return out;
    }

    /** libbpf-tools' output: per interval an optional time, then each histogram (with "pid = N comm" for -P). */
    public static void print(ToolOutput out, List<Entry> entries, Options o, boolean time) {
        out.printHistograms(entries, Entry::histogram, o.millis() ? "msecs" : "usecs", time, new ToolOutput.HistogramLabels<>() {
            @Override
            public void json(JsonGenerator g, Entry e) throws IOException {
                if (o.perProcess() || o.perThread()) {
                    g.writeNumberField(o.perProcess() ? "pid" : "tid", e.key());
                    g.writeStringField("comm", e.comm());
                }
            }

            @Override
            public void text(ToolOutput out, Entry e) {
                if (o.perProcess()) {
                    out.printf("%npid = %d %s%n", e.key(), e.comm());
                } else if (o.perThread()) {
                    out.printf("%ntid = %d %s%n", e.key(), e.comm());
                }
            }
        });
    }
}
