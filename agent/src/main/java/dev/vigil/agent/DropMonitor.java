package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.sensor.Sensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Falco's syscall_event_drops: once a second, the kernel's drop counters against the records received in that
 * second; when drops / (drops + received) is over {@code threshold} the configured actions run (rate-limited).
 * {@code simulate_drops} counts one drop every second, to try the actions. The alert carries Falco's fields.
 */
final class DropMonitor implements AutoCloseable {
    private final Agent agent;
    private final double threshold;
    private final List<String> actions;
    private final boolean simulate;
    private Thread thread;
    private volatile boolean closed;
    private long lastDrops;
    private long lastReceived;

    DropMonitor(Agent agent, AgentConfig config) {
        this.agent = agent;
        this.threshold = config.number("syscall_event_drops.threshold");
        this.actions = config.list("syscall_event_drops.actions");
        this.simulate = config.bool("syscall_event_drops.simulate_drops");
    }

    void start() {
        Sensor s = agent.sensor();
        lastDrops = s.drops().total();
        lastReceived = s.recordsReceived();
        thread = Thread.ofPlatform().daemon().name("vigil-drops").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            try {
                check(agent.sensor());
            } catch (RuntimeException e) {
                // the sensor closed under us: stopping
            }
        }
    }

    private void check(Sensor s) {
        Sensor.DropReport r = s.drops();
        long received = s.recordsReceived();
        long drops = r.total() - lastDrops + (simulate ? 1 : 0);
        long events = received - lastReceived;
        lastDrops = r.total();
        lastReceived = received;
        if (drops <= 0) return;
        agent.metrics().dropNotice(); // every second with new drops, over the threshold or not
        double ratio = (double) drops / (drops + events);
        if (ratio <= threshold && !simulate) return;
        agent.onDrops(drops, events, fields(r, drops, events), actions);
    }

    /** Falco's drop alert fields (ebpf_enabled, n_drops, n_drops_buffer_*, n_evts) from Vigil's per-kind counters. */
    static Map<String, Object> fields(Sensor.DropReport r, long drops, long events) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ebpf_enabled", "1");
        f.put("n_drops", drops);
        f.put("n_drops_buffer_total", drops);
        Map<String, Long> buffer = new LinkedHashMap<>();
        for (String k : List.of("clone_fork", "execve", "connect", "open", "dir_file", "other_interest")) {
            buffer.put("n_drops_buffer_" + k + "_exit", 0L);
        }
        buffer.put("n_drops_buffer_close_exit", 0L);
        buffer.put("n_drops_buffer_proc_exit", 0L);
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (int k = 0; k < r.perKind().length; k++) {
            if (r.perKind()[k] == 0) continue;
            String name = Sensor.DropReport.kindName(k);
            byKind.put(name, r.perKind()[k]);
            buffer.merge("n_drops_buffer_" + falcoClass(name), r.perKind()[k], Long::sum);
        }
        f.putAll(buffer);
        f.put("n_drops_bug", 0L);
        f.put("n_drops_page_faults", 0L);
        f.put("n_drops_scratch_map", 0L);
        f.put("n_evts", events + drops);
        f.put("vigil.n_drops_by_kind", byKind); // since start, by Vigil's record kind
        return f;
    }

    /** The Falco drop class of a Vigil record kind (Falco's n_drops_buffer_CLASS_exit names). */
    static String falcoClass(String kind) {
        return switch (kind) {
            case "fork", "clone", "clone3", "vfork" -> "clone_fork_exit";
            case "exec", "execve", "execveat" -> "execve_exit";
            case "connect" -> "connect_exit";
            case "open", "openat", "openat2", "creat" -> "open_exit";
            case "mkdir", "mkdirat", "rmdir", "rename", "renameat", "renameat2", "unlink", "unlinkat", "link", "linkat",
                 "symlink", "symlinkat", "chmod", "fchmod", "fchmodat" -> "dir_file_exit";
            case "close" -> "close_exit";
            case "procexit" -> "proc_exit";
            default -> "other_interest_exit";
        };
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }
}
