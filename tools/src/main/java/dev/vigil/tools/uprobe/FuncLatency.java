package dev.vigil.tools.uprobe;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.ebpf.tool.ToolFilters;
import java.nio.file.Path;

/**
 * funclatency: one function's latency as a log2 histogram (libbpf-tools' funclatency). A user function
 * ({@code LIB:FUNC}, {@code PROG:FUNC}, {@code :FUNC} of -p PID) through a uprobe and a uretprobe, which
 * every kernel here allows; a kernel function ({@code FUNC}) through a kprobe and kretprobe, so only
 * where the kernel has kprobes (one line naming what is missing otherwise).
 */
public final class FuncLatency {
    /** The histogram's unit: libbpf-tools' default nanoseconds, -u, -m. */
    public enum Unit {
        NSECS(1), USECS(1_000), MSECS(1_000_000);

        final long nanos;

        Unit(long nanos) {
            this.nanos = nanos;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What to probe: a user function in {@code binary}, or with binary null a kernel function. */
    public record Target(Path binary, String function) {
        /** libbpf-tools' forms: FUNC (kernel), LIB:FUNC, PROG:FUNC, :FUNC (needs -p). */
        public static Target parse(String spec, Integer pid) {
            int colon = spec.lastIndexOf(':');
            String function = colon < 0 ? spec : spec.substring(colon + 1);
            if (function.isEmpty() || !function.matches("[A-Za-z_.$@][A-Za-z0-9_.$@]*")) {
                throw new IllegalArgumentException("FUNCTION " + spec + ": expected FUNC, LIB:FUNC, PROG:FUNC or :FUNC");
            }
            if (colon < 0) {
                return new Target(null, function);
            }
            String where = spec.substring(0, colon);
            if (where.isEmpty()) {
                if (pid == null) {
                    throw new IllegalArgumentException("FUNCTION " + spec + ": :FUNC probes the binary of -p PID, and no -p was given");
                }
                return new Target(UserBinaries.executable(pid), function);
            }
            return new Target(UserBinaries.find(where, pid), function);
        }

        public boolean isKernel() {
            return binary == null;
        }

        @Override
        public String toString() {
            return binary == null ? function : binary + ":" + function;
        }
    }

    public record Options(ToolFilters filters, Target target, Unit unit) {}

    private FuncLatency() {}

    public static BpfTool start(Options o) {
        BpfTool.Builder b = BpfTool.builder("funclatency", "/bpf/funclatency.bpf.o")
                .filters(o.filters())
                .constant("targ_unit_ns", o.unit().nanos);
        Target t = o.target();
        if (t.isKernel()) {
            b.attachOneOf(BpfTool.Variant.of("kprobe", "kprobe_entry", Hook.kprobe(t.function()))
                    .and("kprobe_return", Hook.kretprobe(t.function())));
        } else {
            // with -p the kernel filters by process too: the probe fires only in that process
            int pid = o.filters().pid() != null ? o.filters().pid() : -1;
            b.attachOneOf(BpfTool.Variant.of("uprobe", "uprobe_entry", new Hook.Uprobe(t.binary(), t.function(), false, pid))
                    .and("uprobe_return", new Hook.Uprobe(t.binary(), t.function(), true, pid)));
        }
        return b.start();
    }

    /** The histogram so far, zeroed (libbpf-tools resets it every interval). */
    public static Log2Histogram drain(BpfTool tool) {
        return Log2Histogram.readArray(tool.map("hist"), true);
    }
}
