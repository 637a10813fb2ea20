package dev.vigil.ebpf.tool;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.perf.PerfEvent;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a tool's program attaches. Each hook names the kernel {@link Feature} it needs, so that
 * {@link BpfTool.Builder#attachOneOf} can pick, per kernel, the best variant a tool offers (libbpf-tools'
 * kprobe or fentry where allowed, a tracepoint otherwise).
 */
public sealed interface Hook {
    Feature feature();

    Link attach(BpfProgram program);

    /** {@code tracepoint/CATEGORY/NAME}; see {@link BpfTool#tracepointExists}. */
    record Tracepoint(String category, String name) implements Hook {
        public Feature feature() { return Feature.TRACEPOINT; }
        public Link attach(BpfProgram p) { return p.attachTracepoint(category, name); }
        @Override public String toString() { return "tracepoint " + category + ":" + name; }
    }

    /** {@code tp_btf/NAME}: the target comes from the program's section. */
    record BtfTracepoint(String name) implements Hook {
        public Feature feature() { return Feature.BTF_TRACEPOINT; }
        public Link attach(BpfProgram p) { return p.attachBtfTracepoint(); }
        @Override public String toString() { return "tp_btf " + name; }
    }

    record RawTracepoint(String name) implements Hook {
        public Feature feature() { return Feature.RAW_TRACEPOINT; }
        public Link attach(BpfProgram p) { return p.attachRawTracepoint(name); }
        @Override public String toString() { return "raw_tp " + name; }
    }

    record Kprobe(String function, boolean retprobe) implements Hook {
        public Feature feature() { return Feature.KPROBE; }
        public Link attach(BpfProgram p) { return p.attachKprobe(function, retprobe); }
        @Override public String toString() { return (retprobe ? "kretprobe " : "kprobe ") + function; }
    }

    /** fentry/fexit: the target comes from the program's section. */
    record Fentry(String function) implements Hook {
        public Feature feature() { return Feature.FENTRY; }
        public Link attach(BpfProgram p) { return p.attachTracing(); }
        @Override public String toString() { return "fentry " + function; }
    }

    /**
     * A perf_event program on one {@code event} per online CPU, every process (profile, runqlen). All the
     * CPUs' links are held by the program's object; the first is returned.
     */
    record PerfEventEachCpu(PerfEvent event) implements Hook {
        public Feature feature() { return Feature.PERF_EVENT; }
        public Link attach(BpfProgram p) {
            List<Link.PerfEvent> links = p.attachPerfEventEachCpu(event);
            if (links.isEmpty()) {
                throw new BpfException("no online CPU to open " + event.description() + " on");
            }
            return links.getFirst();
        }
        @Override public String toString() { return "perf event " + event.description(); }
    }

    /** A uprobe or uretprobe on a function of an ELF file, by symbol; {@code pid} -1 for every process. */
    record Uprobe(Path binary, String function, boolean retprobe, int pid) implements Hook {
        public Feature feature() { return Feature.UPROBE; }
        public Link attach(BpfProgram p) { return p.attachUprobe(binary, function, retprobe, pid); }
        @Override public String toString() { return (retprobe ? "uretprobe " : "uprobe ") + binary + ":" + function; }
    }

    static Hook tracepoint(String category, String name) { return new Tracepoint(category, name); }
    static Hook btfTracepoint(String name) { return new BtfTracepoint(name); }
    static Hook rawTracepoint(String name) { return new RawTracepoint(name); }
    static Hook kprobe(String function) { return new Kprobe(function, false); }
    static Hook kretprobe(String function) { return new Kprobe(function, true); }
    static Hook fentry(String function) { return new Fentry(function); }
}
