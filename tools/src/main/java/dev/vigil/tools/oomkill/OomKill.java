package dev.vigil.tools.oomkill;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.Hook;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.ToolOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * oomkill: OOM kills, one line each as libbpf-tools prints them:
 * {@code HH:MM:SS Triggered by PID N ("comm"), OOM kill of PID N ("comm"), N pages, loadavg: ...}.
 * Where kprobes exist, libbpf-tools' kprobe on oom_kill_process, and N pages is the OOM control's total
 * pages, as there; else oom:mark_victim, which does not carry those: N pages is then the victim's resident
 * set (anon + file + shmem) in 4 KiB pages.
 */
public final class OomKill {
    static final String OBJECT = "/bpf/oomkill.bpf.o";

    private OomKill() {}

    /** struct oomkill_event (bpf/include/vigil/oomkill.h). */
    public record Event(long bootTimeNs, int triggerPid, int victimPid, long rssKb, long totalVmKb, int uid, int oomScoreAdj,
            String triggerComm, String victimComm, long totalPages) {
        static final StructView LAYOUT = StructView.builder("oomkill_event", 80)
                .field("ts_ns", 0, 8).field("tpid", 8, 4).field("kpid", 12, 4).field("rss_kb", 16, 8)
                .field("total_vm_kb", 24, 8).field("uid", 32, 4).field("oom_score_adj", 36, 4)
                .field("tcomm", 40, 16).field("kcomm", 56, 16).field("total_pages", 72, 8).build();

        public static Event decode(MemorySegment d, long o) {
            return new Event(d.get(ValueLayout.JAVA_LONG_UNALIGNED, o), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 12), d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 16),
                    d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 24), d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 32),
                    d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 36), ToolOutput.cString(d, o + 40, 16), ToolOutput.cString(d, o + 56, 16),
                    d.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 72));
        }

        /** "N pages": the OOM control's total pages (kprobe, as libbpf-tools), else the victim's RSS in 4 KiB pages. */
        public long pages() {
            return totalPages > 0 ? totalPages : rssKb / 4;
        }
    }

    public static BpfTool start(ToolFilters filters) {
        return BpfTool.builder("oomkill", OBJECT)
                .layout(Event.LAYOUT)
                .filters(filters)
                .ring("events")
                .attachOneOf(
                        BpfTool.Variant.of("kprobe", "kprobe_oom_kill_process", Hook.kprobe("oom_kill_process")),
                        BpfTool.Variant.of("tracepoint", "handle_mark_victim", Hook.tracepoint("oom", "mark_victim")))
                .start();
    }

    public static void print(ToolOutput out, Event e) {
        String loadavg;
        try {
            loadavg = Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException unreadable) {
            loadavg = "?";
        }
        if (out.json()) {
            try {
                JsonGenerator g = out.beginObject();
                g.writeStringField("time", ToolOutput.hms());
                g.writeNumberField("trigger_pid", e.triggerPid());
                g.writeStringField("trigger_comm", e.triggerComm());
                g.writeNumberField("victim_pid", e.victimPid());
                g.writeStringField("victim_comm", e.victimComm());
                g.writeNumberField("victim_uid", Integer.toUnsignedLong(e.uid()));
                g.writeNumberField("pages", e.pages());
                g.writeNumberField("total_vm_kb", e.totalVmKb());
                g.writeNumberField("oom_score_adj", e.oomScoreAdj());
                g.writeStringField("loadavg", loadavg);
                out.endObject();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return;
        }
        out.print(ToolOutput.hms() + " Triggered by PID " + e.triggerPid() + " (\"" + e.triggerComm() + "\"), OOM kill of PID "
                + e.victimPid() + " (\"" + e.victimComm() + "\"), " + e.pages() + " pages, loadavg: " + loadavg + "\n");
    }
}
