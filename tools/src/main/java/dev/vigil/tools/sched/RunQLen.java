package dev.vigil.tools.sched;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.perf.Cpus;
import dev.vigil.ebpf.perf.PerfEvent;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * runqlen: run queue length sampled by a software cpu-clock perf event on every CPU (libbpf-tools' runqlen),
 * as a linear histogram or, with -O, the share of samples that found a task waiting (occupancy).
 */
public final class RunQLen {
    public static final int SLOTS = 32;
    /** libbpf-tools' default sampling rate. */
    public static final int DEFAULT_FREQUENCY = 99;

    /** @param perCpu -C; @param frequency -f Hz */
    public record Options(boolean perCpu, int frequency) {
        public Options {
            if (frequency <= 0 || frequency > 100_000) {
                throw new IllegalArgumentException("-f FREQUENCY must be 1 to 100000 Hz, got " + frequency);
            }
        }
    }

    /** One CPU's (or with cpu -1 every CPU's) samples: slots[i] found i tasks waiting. */
    public record Entry(int cpu, long[] slots) {
        public long samples() {
            long n = 0;
            for (long s : slots) {
                n += s;
            }
            return n;
        }

        /** Samples that found at least one task waiting, as a share of all (0 with no samples). */
        public double occupancy() {
            long n = samples();
            return n == 0 ? 0 : (n - slots[0]) / (double) n;
        }
    }

    static final StructView LAYOUT = StructView.builder("runqlen_hist", SLOTS * 4).field("slots", 0, SLOTS * 4).build();

    private RunQLen() {}

    public static BpfTool start(Options o) {
        return BpfTool.builder("runqlen", "/bpf/runqlen.bpf.o")
                .layout(LAYOUT)
                .filters(ToolFilters.NONE)
                .constant("targ_per_cpu", o.perCpu() ? 1 : 0)
                .attach("do_sample", new Hook.PerfEventEachCpu(PerfEvent.cpuClock(o.frequency())))
                .start();
    }

    /** The histograms so far, zeroed (libbpf-tools resets them each interval): one per online CPU with -C, else one. */
    public static List<Entry> drain(BpfTool tool, boolean perCpu) {
        BpfMap map = tool.map("hists");
        List<Entry> out = new ArrayList<>();
        List<Integer> cpus = perCpu ? Cpus.online() : List.of(0);
        for (int cpu : cpus) {
            byte[] key = BpfMap.u32(cpu);
            long[] slots = new long[SLOTS];
            map.lookup(key).ifPresent(v -> {
                ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
                for (int i = 0; i < SLOTS; i++) {
                    slots[i] = Integer.toUnsignedLong(b.getInt(4 * i));
                }
            });
            map.update(key, new byte[map.valueSize()]);
            out.add(new Entry(perCpu ? cpu : -1, slots));
        }
        return out;
    }

    /** libbpf-tools' output: per interval an optional time, then per CPU ("cpu = N") a linear histogram or the occupancy. */
    public static void print(ToolOutput out, List<Entry> entries, boolean occupancy, boolean time) {
        if (out.json()) {
            try {
                for (Entry e : entries) {
                    JsonGenerator g = out.beginObject();
                    if (e.cpu() >= 0) {
                        g.writeNumberField("cpu", e.cpu());
                    }
                    g.writeNumberField("samples", e.samples());
                    g.writeNumberField("occupancy", e.occupancy());
                    g.writeArrayFieldStart("runqlen");
                    for (int i = 0; i < SLOTS; i++) {
                        if (e.slots()[i] > 0) {
                            g.writeStartObject();
                            g.writeNumberField("len", i);
                            g.writeNumberField("count", e.slots()[i]);
                            g.writeEndObject();
                        }
                    }
                    g.writeEndArray();
                    out.endObject();
                }
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return;
        }
        out.print("\n");
        if (time) {
            out.printf("%-8s%n", ToolOutput.hms());
        }
        for (Entry e : entries) {
            if (occupancy) {
                if (e.cpu() >= 0) {
                    out.printf("runqocc, CPU %-3d %6.2f%%%n", e.cpu(), 100 * e.occupancy());
                } else {
                    out.printf("runqocc: %.2f%%%n", 100 * e.occupancy());
                }
                continue;
            }
            if (e.cpu() >= 0) {
                out.printf("cpu = %d%n", e.cpu());
            }
            out.print(linear(e.slots(), "runqlen"));
        }
    }

    /** trace_helpers' print_linear_hist(vals, n, 0, 1, type): the rows from the first to the last non-empty slot, empty ones skipped. */
    static String linear(long[] vals, String type) {
        int min = -1, max = -1;
        long valMax = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] > 0) {
                max = i;
                if (min < 0) {
                    min = i;
                }
            }
            valMax = Math.max(valMax, vals[i]);
        }
        if (max < 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format("     %-13s : count     distribution%n", type));
        for (int i = min; i <= max; i++) {
            if (vals[i] == 0) {
                continue;
            }
            int stars = (int) (vals[i] * 40 / valMax);
            sb.append(String.format("        %-10d : %-8d |", i, vals[i])).append("*".repeat(stars)).append(" ".repeat(40 - stars)).append("|\n");
        }
        return sb.toString();
    }
}
