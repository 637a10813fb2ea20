package dev.vigil.bench.enforce;

import dev.vigil.agent.Agent;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.PolicyLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The added cost of process enforcement, side by side in one run (bench/enforce/run.sh): an exec loop, an open loop and
 * a connect loop (bench/enforce/loops.c) with no enforcement, with a policy that matches nothing the loops do, and
 * with 1,000 binary / path / CIDR entries; interleaved rounds, medians. Then the latency of a response (kill) from
 * the syscall to the kill, over many kills, with the agent and the bundled stable rules.
 *
 * <p>Args: LOOPS_BINARY FLOOR_OBJECT ROUNDS EXECS OPENS CONNECTS KILLS (FLOOR_OBJECT: floor.bpf.c, empty programs at the
 * open and connect hooks, whose own time per operation is the floor any program there pays on this kernel)
 */
public final class EnforceBench {
    private EnforceBench() {}

    static final String NOWHERE = "/nonexistent-vigil-bench";

    public static void main(String[] args) throws Exception {
        Path loops = Path.of(args[0]);
        Path floorObject = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int execs = Integer.parseInt(args[3]), opens = Integer.parseInt(args[4]), connects = Integer.parseInt(args[5]);
        int kills = Integer.parseInt(args[6]);
        Path cgroup = Enforcer.defaultCgroupRoot().resolve("vigil-bench-enforce-" + ProcessHandle.current().pid());
        Files.createDirectories(cgroup);
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("none", null);
        configs.put("exec rule only", policy(1, true, false, false));
        configs.put("open rule only", policy(1, false, true, false));
        configs.put("connect rule only", policy(1, false, false, true));
        configs.put("no match", policy(1));
        configs.put("1000 entries", policy(1000));
        Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
        // per configuration and loop: the programs' own time per operation (BPF stats), one sample per round
        Map<String, Map<String, List<Double>>> programNs = new LinkedHashMap<>();
        Map<String, Map<String, Double>> perProgram = new LinkedHashMap<>();
        Map<String, String> attachedBy = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(configs.keySet());
        try {
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < names.size(); i++) {
                    String c = names.get((i + r) % names.size());
                    Enforcer e = null;
                    try {
                        if (configs.get(c) != null) {
                            e = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0).withCgroupDir(cgroup), d -> { });
                            e.apply(PolicyLoader.installed().loadText("bench.yaml", configs.get(c)).all().stream()
                                    .map(EnforcementPolicy.class::cast).toList());
                        }
                        Map<String, List<Double>> m = results.computeIfAbsent(c, k -> new LinkedHashMap<>());
                        m.computeIfAbsent("exec", k -> new ArrayList<>()).add(loop(cgroup, loops, "exec", execs));
                        m.computeIfAbsent("open", k -> new ArrayList<>()).add(loop(cgroup, loops, "open", opens));
                        m.computeIfAbsent("connect", k -> new ArrayList<>()).add(loop(cgroup, loops, "connect", connects));
                        if (e != null) {
                            attachedBy.put(c, String.join(" ", new java.util.TreeSet<>(e.attachedPrograms())));
                            for (String what : List.of("exec", "open", "connect")) {
                                int n = what.equals("exec") ? execs : what.equals("open") ? opens : connects;
                                Map<String, long[]> before = e.programStats();
                                loop(cgroup, loops, what, n, true);
                                Map<String, long[]> after = e.programStats();
                                double sum = 0;
                                for (var kv : after.entrySet()) {
                                    long[] b = before.getOrDefault(kv.getKey(), new long[2]);
                                    double ns = (double) (kv.getValue()[0] - b[0]) / n;
                                    sum += ns;
                                    if (r == rounds - 1 && ns >= 1) perProgram.computeIfAbsent(c + " / " + what, k -> new java.util.TreeMap<>())
                                            .put(kv.getKey() + " (" + (kv.getValue()[1] - b[1]) / n + " runs/op)", ns);
                                }
                                programNs.computeIfAbsent(c, k -> new LinkedHashMap<>()).computeIfAbsent(what, k -> new ArrayList<>()).add(sum);
                            }
                        }
                    } finally {
                        if (e != null) e.close();
                    }
                }
            }
            floor(floorObject, cgroup, loops, rounds, opens, connects);
        } finally {
            Files.deleteIfExists(cgroup);
        }
        System.out.println("| configuration | exec (us) | vs none | open (ns) | added | connect (ns) | added |");
        System.out.println("|---|---|---|---|---|---|---|");
        double ex0 = median(results.get("none").get("exec")), op0 = median(results.get("none").get("open")),
                co0 = median(results.get("none").get("connect"));
        for (String c : names) {
            double ex = median(results.get(c).get("exec")), op = median(results.get(c).get("open")), co = median(results.get(c).get("connect"));
            System.out.printf("| %s | %.1f | x%.3f | %.0f | %+.0f | %.0f | %+.0f |%n", c, ex / 1000, ex / ex0, op, op - op0, co, co - co0);
        }
        System.out.println("(medians of " + rounds + " interleaved rounds; per round: " + execs + " execs, " + opens + " opens, "
                + connects + " connects)");
        System.out.println();
        System.out.println("Vigil's programs' own time per operation (BPF_ENABLE_STATS run_time_ns, loops run again with stats on; medians):");
        System.out.println();
        System.out.println("| configuration | per exec (ns) | per open (ns) | per connect (ns) | attached |");
        System.out.println("|---|--:|--:|--:|---|");
        for (String c : names) {
            if (!programNs.containsKey(c)) continue;
            Map<String, List<Double>> m = programNs.get(c);
            System.out.printf("| %s | %.0f | %.0f | %.0f | %s |%n", c, median(m.get("exec")), median(m.get("open")), median(m.get("connect")),
                    attachedBy.get(c));
        }
        System.out.println();
        System.out.println(floorLine);
        System.out.println();
        System.out.println("per program (last round, ns per operation of the loop):");
        for (var kv : perProgram.entrySet()) {
            StringBuilder b = new StringBuilder();
            kv.getValue().forEach((p, ns) -> b.append(String.format(" %s %.0f;", p, ns)));
            System.out.println("  " + kv.getKey() + ":" + b);
        }
        if (kills > 0) responseLatency(kills);
    }

    private static String floorLine = "";

    /** Empty programs at the open and connect hooks, run time per operation with stats on (medians of the rounds). */
    static void floor(Path object, Path cgroup, Path loops, int rounds, int opens, int connects) throws Exception {
        try (dev.vigil.ebpf.BpfObject o = dev.vigil.ebpf.BpfObject.openFile(object)) {
            o.load();
            var open = o.program("floor_exit_openat");
            var connect = o.program("floor_connect4");
            try (var l1 = open.attachTracepoint("syscalls", "sys_exit_openat"); var l2 = connect.attachCgroup(cgroup)) {
                List<Double> op = new ArrayList<>(), co = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    long b = runTime(open.fd());
                    loop(cgroup, loops, "open", opens, true);
                    op.add((double) (runTime(open.fd()) - b) / opens);
                    b = runTime(connect.fd());
                    loop(cgroup, loops, "connect", connects, true);
                    co.add((double) (runTime(connect.fd()) - b) / connects);
                }
                floorLine = String.format("floor (empty programs at the same hooks, BPF stats, median of %d): %.0f ns per open "
                        + "(tracepoint sys_exit_openat), %.0f ns per connect (cgroup/connect4)", rounds, median(op), median(co));
            }
        }
    }

    /** A program's run_time_ns (struct bpf_prog_info at 192, UAPI). */
    static long runTime(int fd) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            var info = a.allocate(256, 8);
            var len = a.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            len.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 256);
            return dev.vigil.ebpf.internal.LibBpf.objGetInfoByFd(fd, info, len) == 0 ? info.get(java.lang.foreign.ValueLayout.JAVA_LONG, 192) : 0;
        }
    }

    static String policy(int entries) {
        return policy(entries, true, true, true);
    }

    static String policy(int entries, boolean exec, boolean open, boolean connect) {
        StringBuilder bins = new StringBuilder(), paths = new StringBuilder(), cidrs = new StringBuilder();
        for (int i = 0; i < entries; i++) {
            String sep = i == 0 ? "" : ", ";
            bins.append(sep).append('"').append(NOWHERE).append("/bin/tool-").append(i).append('"');
            paths.append(sep).append('"').append(NOWHERE).append("/etc/file-").append(i).append('"');
            cidrs.append(sep).append("\"198.18.").append(i / 250).append('.').append(i % 250).append("/32\"");
        }
        return """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: bench}
                spec:
                  host: true
                  rules:
                """ + (exec ? """
                  - exec: {matchBinaries: [{operator: In, values: [%s]}]}
                    action: Deny
                    fallback: Sigkill
                """.formatted(bins) : "") + (open ? """
                  - open: {matchPaths: [{operator: Prefix, values: [%s]}], access: write}
                    action: Deny
                    fallback: Sigkill
                """.formatted(paths) : "") + (connect ? """
                  - connect: {cidrs: [%s]}
                    action: Deny
                """.formatted(cidrs) : "");
    }

    static double loop(Path cgroup, Path loops, String what, int n) throws Exception {
        return loop(cgroup, loops, what, n, false);
    }

    static double loop(Path cgroup, Path loops, String what, int n, boolean stats) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec " + loops + " " + what + " " + n)
                .redirectErrorStream(true);
        if (stats) pb.environment().put("VIGIL_BPF_STATS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(what + " loop failed: " + out);
        return Double.parseDouble(out);
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Responses: a shell under a process named nginx ("Run shell untrusted", stable rules), killed; N times. */
    static void responseLatency(int kills) throws Exception {
        Path dir = Files.createTempDirectory("vigil-bench-response");
        Path nginx = Files.copy(Path.of("/bin/bash"), dir.resolve("nginx"), StandardCopyOption.REPLACE_EXISTING);
        AgentConfig cfg = AgentConfig.builder().override("stdout_output.enabled=false").override("webserver.enabled=false")
                .override("watch_config_files=false")
                .override("responses=[{name: bench, rules: [Run shell untrusted], action: kill, rate: 1000, max_burst: 1000}]").build();
        try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
            int killed = 0;
            for (int i = 0; i < kills; i++) {
                Process p = new ProcessBuilder(nginx.toString(), "-c", "sh -c 'read x'; exit $?").start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("a shell under nginx was not killed within 30 s");
                }
                if (p.exitValue() == 137) killed++;
            }
            // the kill is recorded just after the signal is sent: the last process can be dead before its record
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (agent.responder().latency()[0] < killed && System.nanoTime() < deadline) Thread.sleep(1);
            long[] l = agent.responder().latency();
            System.out.printf("%nresponse latency, syscall (exec of sh) to kill, %d kills (%d killed): median %.2f ms, p99 %.2f ms%n",
                    l[0], killed, l[1] / 1e6, l[2] / 1e6);
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
