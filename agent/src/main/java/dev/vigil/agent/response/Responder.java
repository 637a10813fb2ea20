package dev.vigil.agent.response;

import dev.vigil.agent.alert.AlertSink;
import dev.vigil.agent.alert.TokenBucket;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventView;
import dev.vigil.events.ProcessView;
import dev.vigil.rules.Priority;
import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Responses to alerts (inline prevention for Falco rules): an {@link AlertSink} after the outputs. For an alert that
 * a {@link ResponseRule} matches it kills the process (or its process group) on the reader thread at once, so the
 * time from the syscall to the kill is the event's way through the ring and the rules; container stops and programs
 * run on virtual threads. Rate-limited per response; never acts on Vigil itself, pid 1, or a container runtime's own
 * processes. Each action is reported as an internal alert with its latency (syscall to kill).
 */
public final class Responder implements AlertSink {
    /** Processes a response never touches: the container runtimes and init systems (by comm). */
    static final Set<String> RUNTIME = Set.of("dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "runc",
            "crio", "conmon", "kubelet", "systemd", "init", "docker-proxy", "tini", "docker-init");

    /** Reports what a response did (the agent's internal alerts). */
    public interface Reporter {
        void report(Priority p, String what, Map<String, Object> fields);
    }

    private static final MethodHandle KILL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("kill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final List<ResponseRule> rules;
    private final TokenBucket[] buckets;
    private final Reporter reporter;
    private final Path dockerSocket;
    private final long self = ProcessHandle.current().pid();
    private final long selfPgid = pgidOf(self);
    private final AtomicLong acted = new AtomicLong(), refused = new AtomicLong(), limited = new AtomicLong();
    private final long[] latencies = new long[4096];
    private int latencyCount;

    public Responder(List<ResponseRule> rules, Path dockerSocket, Reporter reporter) {
        this.rules = List.copyOf(rules);
        this.buckets = new TokenBucket[rules.size()];
        for (int i = 0; i < rules.size(); i++) buckets[i] = new TokenBucket(rules.get(i).rate(), rules.get(i).maxBurst());
        this.reporter = reporter;
        this.dockerSocket = dockerSocket;
    }

    @Override
    public void accept(Alert alert, String text, EventView event) {
        if (event == null) return; // the agent's own alerts
        for (int i = 0; i < rules.size(); i++) {
            ResponseRule r = rules.get(i);
            if (!r.matches(alert.rule(), alert.tags(), alert.priority())) continue;
            if (!buckets[i].tryTake(System.nanoTime())) {
                limited.incrementAndGet();
                return;
            }
            act(r, alert, event);
            return; // the first matching response acts
        }
    }

    private void act(ResponseRule r, Alert alert, EventView event) {
        ProcessView p = event.process();
        long pid = p == null ? -1 : p.pid();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("response", r.name());
        f.put("action", r.action().yamlName);
        f.put("alert_rule", alert.rule());
        f.put("pid", pid);
        String refusal = refusal(pid);
        ContainerView c = event.container();
        String container = c == null || c.id() == null ? "host" : c.id().toString();
        switch (r.action()) {
            case KILL -> {
                if (refusal == null) refusal = signal(pid, 9);
            }
            case KILL_PROCESS_GROUP -> {
                long pgid = p == null ? -1 : p.pgid();
                f.put("pgid", pgid);
                if (refusal == null && (pgid <= 1 || pgid == selfPgid)) refusal = "process group " + pgid + " is Vigil's or init's";
                if (refusal == null && RUNTIME.contains(comm(pgid))) refusal = "process group " + pgid + " is a runtime's";
                if (refusal == null) refusal = signal(-pgid, 9);
            }
            case STOP_CONTAINER, KILL_CONTAINER -> {
                f.put("container_id", container);
                if (container.equals("host") || container.isEmpty()) refusal = "the process is not in a container";
                else if (refusal == null) {
                    String path = "/containers/" + container + (r.action() == ResponseRule.Action.KILL_CONTAINER ? "/kill" : "/stop?t=2");
                    Thread.ofVirtual().name("vigil-response").start(() -> dockerPost(path, r, f));
                }
            }
            case PROGRAM -> {
                String json = alert.toJson();
                Thread.ofVirtual().name("vigil-response").start(() -> runProgram(r.program(), json));
            }
        }
        if (refusal != null) {
            refused.incrementAndGet();
            f.put("refused", refusal);
            reporter.report(Priority.WARNING, "response refused", f);
            return;
        }
        long latency = Instant.now().getEpochSecond() * 1_000_000_000L + Instant.now().getNano() - event.timestamp();
        if (r.action() == ResponseRule.Action.KILL || r.action() == ResponseRule.Action.KILL_PROCESS_GROUP) {
            recordLatency(latency);
            f.put("latency_us", latency / 1000);
        }
        acted.incrementAndGet();
        reporter.report(Priority.NOTICE, "response executed", f);
    }

    /** Why this process must not be acted on, or null. */
    private String refusal(long pid) {
        if (pid <= 1) return "pid " + pid + " is init or unknown";
        if (pid == self) return "pid " + pid + " is Vigil itself";
        String comm = comm(pid);
        if (RUNTIME.contains(comm)) return "pid " + pid + " (" + comm + ") is a container runtime's or init's";
        return null;
    }

    private static String signal(long pid, int sig) {
        try {
            int rc = (int) KILL.invokeExact((int) pid, sig);
            return rc == 0 ? null : "kill(" + pid + ", " + sig + ") failed";
        } catch (Throwable t) {
            return "kill failed: " + t;
        }
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    static long pgidOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void dockerPost(String path, ResponseRule r, Map<String, Object> f) {
        if (dockerSocket == null) {
            reporter.report(Priority.ERROR, "response failed", withField(f, "error", "no Docker socket configured"));
            return;
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dockerSocket))) {
            String req = "POST " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(512);
            ch.read(buf);
            String status = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).lines().findFirst().orElse("");
            if (!status.matches("HTTP/1\\.[01] 20[04].*")) {
                reporter.report(Priority.ERROR, "response failed", withField(f, "error", "Docker answered " + status));
            }
        } catch (IOException e) {
            reporter.report(Priority.ERROR, "response failed", withField(f, "error", e.getMessage()));
        }
    }

    private static Map<String, Object> withField(Map<String, Object> f, String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>(f);
        m.put(k, v);
        return m;
    }

    private void runProgram(String program, String json) {
        try {
            Process proc = new ProcessBuilder("sh", "-c", program).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (OutputStream in = proc.getOutputStream()) {
                in.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            reporter.report(Priority.ERROR, "response failed", Map.of("program", program, "error", String.valueOf(e.getMessage())));
        }
    }

    private synchronized void recordLatency(long ns) {
        latencies[latencyCount++ % latencies.length] = ns;
    }

    /** Syscall-to-kill latency over the recent kills: {count, median ns, p99 ns}. */
    public synchronized long[] latency() {
        int n = Math.min(latencyCount, latencies.length);
        if (n == 0) return new long[] {0, 0, 0};
        long[] s = Arrays.copyOf(latencies, n);
        Arrays.sort(s);
        return new long[] {latencyCount, s[n / 2], s[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]};
    }

    public long acted() { return acted.get(); }

    public long refused() { return refused.get(); }

    public long rateLimited() { return limited.get(); }
}
