package dev.vigil.bench.containers;

import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.containers.ContainerStats;
import dev.vigil.containers.ResolverProbe;
import dev.vigil.events.EventView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real-engine half of bench/containers/run.sh, against the private Docker Engine the script started.
 *
 * <p><b>Latency</b> (rounds of N containers): a resolver watches the engine's event stream, as in the agent;
 * N {@code docker run -d --network none IMAGE sleep 600} run, P at a time. For each container: the engine's
 * create and start event times (from {@code docker events}, the daemon's clock), the moment its first complete
 * view entered the cache (the resolver's own record, same wall clock) and the moment {@code docker run}
 * returned; and whether a lookup right then found the full metadata (complete, with the start time).
 *
 * <p><b>Lookups per second</b> (burst rounds): the last round's N containers are running; a fresh resolver
 * without the event stream (nothing known in advance) gets resolve() for all N cgroups back to back, as when a
 * sensor starts on a busy host; every call returns at once with the id alone and starts one inspect; the rate
 * is N over the time until the last one is cached, at the resolver's default concurrency and others.
 *
 * <p>Args: socket docker-cli image containers parallel rounds burst-rounds.
 */
public final class EngineDriver {
    private final Path socket;
    private final String dockerCli, image;

    private EngineDriver(Path socket, String dockerCli, String image) {
        this.socket = socket;
        this.dockerCli = dockerCli;
        this.image = image;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: EngineDriver socket docker-cli image containers parallel rounds burst-rounds");
            System.exit(2);
        }
        EngineDriver d = new EngineDriver(Path.of(args[0]), args[1], args[2]);
        int n = Integer.parseInt(args[3]), parallel = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]), burstRounds = Integer.parseInt(args[6]);
        List<String> last = d.latency(n, parallel, rounds);
        d.burst(last, burstRounds);
    }

    // ------------------------------------------------------------------ start -> cached

    record Started(String id, long calledAt, long returnedAt, boolean fullAtReturn) {}

    List<String> latency(int n, int parallel, int rounds) throws Exception {
        System.out.printf("%n== start -> cached: %d rounds of %d containers, %d `docker run -d` at a time; load average %s%n",
                rounds, n, parallel, loadavg());
        List<Double> createToCached = new ArrayList<>(), startToCached = new ArrayList<>(), returnToCached = new ArrayList<>(),
                runTook = new ArrayList<>(), createToStart = new ArrayList<>();
        int fullAtReturn = 0, total = 0, beforeStart = 0;
        List<String> ids = List.of();
        try (ContainerResolver r = ContainerResolver.create(ContainerResolver.Options.defaults().withDockerSocket(socket))) {
            await(() -> r.stats().streamConnects() >= 1, 30, "event stream connected");
            for (int round = 1; round <= rounds; round++) {
                if (!ids.isEmpty()) rmAll(ids); // the previous round's: keep only one round's containers running
                String label = "vigil-bench-round=" + round + "-" + ProcessHandle.current().pid();
                long since = Instant.now().getEpochSecond() - 1;
                List<Started> started = runContainers(r, n, parallel, label);
                ids = started.stream().map(Started::id).toList();
                for (String id : ids) {
                    await(() -> ResolverProbe.firstCompleteAt(r, id) != 0, 60, "metadata of " + id.substring(0, 12) + " cached");
                }
                Map<String, long[]> ev = events(since, label); // id -> {create, start} in ns since the epoch
                List<Double> rc = new ArrayList<>(), rs = new ArrayList<>();
                for (Started s : started) {
                    long cached = ResolverProbe.firstCompleteAt(r, s.id());
                    long[] t = ev.get(s.id());
                    if (t == null || t[0] == 0 || t[1] == 0) throw new IllegalStateException("no create/start event for " + s.id());
                    rc.add((cached - t[0]) / 1e6);
                    rs.add((cached - t[1]) / 1e6);
                    if (cached < t[1]) beforeStart++;
                    returnToCached.add((cached - s.returnedAt()) / 1e6);
                    runTook.add((s.returnedAt() - s.calledAt()) / 1e6);
                    createToStart.add((t[1] - t[0]) / 1e6);
                    if (s.fullAtReturn()) fullAtReturn++;
                    total++;
                }
                createToCached.addAll(rc);
                startToCached.addAll(rs);
                // the cache's view must be the engine's: the start time it holds is the engine's StartedAt
                checkStartTimes(r, ids);
                ContainerStats st = r.stats();
                System.out.printf("round %d (load %s): create->cached median %.1f ms max %.1f; start->cached median %.1f ms max %.1f; "
                                + "full metadata at `docker run` return %d/%d; stats: fetches %d ok %d failures %d events %d%n",
                        round, loadavg(), pct(rc, 50), pct(rc, 100), pct(rs, 50), pct(rs, 100),
                        started.stream().filter(Started::fullAtReturn).count(), n, st.fetches(), st.fetchedOk(), st.failures(), st.events());
            }
        }
        System.out.println();
        System.out.println("| interval (ms), all rounds pooled, n=" + total + " | median | p90 | max | min |");
        System.out.println("|---|--:|--:|--:|--:|");
        row("create event -> complete metadata cached", createToCached);
        row("start event -> complete metadata cached", startToCached);
        row("`docker run -d` returned -> complete metadata cached", returnToCached);
        row("`docker run -d` took (for scale)", runTook);
        row("create event -> start event (for scale)", createToStart);
        System.out.printf("complete metadata cached before the engine's start event: %d/%d%n", beforeStart, total);
        System.out.printf("lookups right after `docker run -d` returned that found the full metadata (with start time): %d/%d%n",
                fullAtReturn, total);
        return ids;
    }

    /** Starts n containers, parallel at a time; records each call's start and return and probes the cache at return. */
    private List<Started> runContainers(ContainerResolver r, int n, int parallel, String label) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<Started>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    long called = wallNanos();
                    String id = docker("run", "-d", "--network", "none", "--label", label, image, "sleep", "600").strip();
                    long returned = wallNanos();
                    ContainerInfo c = ResolverProbe.cached(r, id);
                    boolean full = c != null && c.complete() && c.startTs() != EventView.ABSENT;
                    return new Started(id, called, returned, full);
                }));
            }
            List<Started> out = new ArrayList<>();
            for (Future<Started> f : fs) out.add(f.get(300, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The engine's own create and start times of this round's containers (docker events replays the past). */
    private Map<String, long[]> events(long since, String label) throws Exception {
        long until = Instant.now().getEpochSecond() + 1; // until must not be before the last event's second
        String out = docker("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "type=container", "--filter", "label=" + label, "--filter", "event=create", "--filter", "event=start",
                "--format", "{{.Action}} {{.Actor.ID}} {{.TimeNano}}");
        Map<String, long[]> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 3) continue;
            long[] t = m.computeIfAbsent(f[1], k -> new long[2]);
            if (f[0].equals("create")) t[0] = Long.parseLong(f[2]);
            else if (f[0].equals("start")) t[1] = Long.parseLong(f[2]);
        }
        return m;
    }

    private void checkStartTimes(ContainerResolver r, List<String> ids) throws Exception {
        List<String> args = new ArrayList<>(List.of("inspect", "-f", "{{.Id}} {{.State.StartedAt}}"));
        args.addAll(ids);
        for (String line : docker(args.toArray(String[]::new)).split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 2) continue;
            long engine = Instant.parse(f[1]).toEpochMilli();
            await(() -> {
                ContainerInfo c = ResolverProbe.cached(r, f[0]);
                return c != null && c.startTs() != EventView.ABSENT && c.startTs() / 1_000_000 == engine;
            }, 10, "start time of " + f[0].substring(0, 12) + " in the cache");
        }
    }

    // ------------------------------------------------------------------ lookups per second

    record Cgroup(String id, String path, long cgroupId) {}

    void burst(List<String> ids, int rounds) throws Exception {
        List<Cgroup> cgs = cgroups(ids);
        int n = cgs.size();
        int[] concurrency = {ContainerResolver.Options.defaults().maxConcurrentFetches(), 1, 32};
        System.out.printf("%n== lookups per second: %d running containers resolved at once by a resolver that knew none "
                + "(no event stream), %d rounds; load average %s%n", n, rounds, loadavg());
        Map<Integer, List<Double>> rate = new HashMap<>(), p50 = new HashMap<>(), p90 = new HashMap<>(), max = new HashMap<>(),
                missNs = new HashMap<>();
        for (int c : concurrency) {
            rate.put(c, new ArrayList<>());
            p50.put(c, new ArrayList<>());
            p90.put(c, new ArrayList<>());
            max.put(c, new ArrayList<>());
            missNs.put(c, new ArrayList<>());
        }
        for (int round = 1; round <= rounds; round++) {
            StringBuilder line = new StringBuilder("round " + round + " (load " + loadavg() + "):");
            for (int k = 0; k < concurrency.length; k++) {
                int c = concurrency[(round - 1 + k) % concurrency.length]; // rotated order
                ContainerResolver.Options d = ContainerResolver.Options.defaults();
                ContainerResolver.Options o = new ContainerResolver.Options(socket, d.requestTimeout(), d.maxContainers(),
                        d.grace(), c, d.retryAfterFailure(), false, List.of());
                try (ContainerResolver r = ContainerResolver.create(o)) {
                    long t0 = wallNanos(), n0 = System.nanoTime();
                    int containers = 0;
                    for (Cgroup cg : cgs) {
                        // id-only as a rule; complete only if this thread was descheduled long enough for the
                        // inspect it just started to finish (seen once at load 9)
                        if (r.resolve(cg.cgroupId(), cg.path()) instanceof ContainerInfo) containers++;
                    }
                    long callsNs = System.nanoTime() - n0;
                    if (containers != n) throw new IllegalStateException("expected " + n + " containers, resolved " + containers);
                    await(() -> r.stats().fetchedOk() + r.stats().notFound() + r.stats().failures() >= n, 60, "burst fetched");
                    ContainerStats st = r.stats();
                    if (st.fetchedOk() != n || st.fetches() != n) throw new IllegalStateException("burst: " + st);
                    double[] lat = new double[n];
                    long lastAt = 0;
                    for (int i = 0; i < n; i++) {
                        long at = ResolverProbe.firstCompleteAt(r, cgs.get(i).id());
                        lat[i] = (at - t0) / 1e6;
                        lastAt = Math.max(lastAt, at);
                    }
                    // now every lookup is a hit: complete, and no further fetch
                    for (Cgroup cg : cgs) {
                        if (!((ContainerInfo) r.resolve(cg.cgroupId(), cg.path())).complete()) throw new IllegalStateException("not complete after burst");
                    }
                    if (r.stats().fetches() != n) throw new IllegalStateException("a hit fetched");
                    List<Double> l = new ArrayList<>();
                    for (double x : lat) l.add(x);
                    double perSec = n / ((lastAt - t0) / 1e9);
                    rate.get(c).add(perSec);
                    p50.get(c).add(pct(l, 50));
                    p90.get(c).add(pct(l, 90));
                    max.get(c).add(pct(l, 100));
                    missNs.get(c).add(callsNs / (double) n);
                    line.append(String.format("  %d in flight: %.0f lookups/s (all %d in %.1f ms), first resolve() %.1f us/call",
                            c, perSec, n, (lastAt - t0) / 1e6, callsNs / 1e3 / n));
                }
            }
            System.out.println(line);
        }
        System.out.println();
        System.out.println("| inspects in flight | lookups/s (median of rounds) | min-max | resolve -> cached p50 / p90 / max ms (medians) | first resolve() of an unknown container, us/call |");
        System.out.println("|---|--:|--:|--:|--:|");
        for (int c : concurrency) {
            System.out.printf("| %d%s | %.0f | %.0f-%.0f | %.1f / %.1f / %.1f | %.1f |%n", c,
                    c == ContainerResolver.Options.defaults().maxConcurrentFetches() ? " (default)" : "",
                    med(rate.get(c)), min(rate.get(c)), maxOf(rate.get(c)), med(p50.get(c)), med(p90.get(c)), med(max.get(c)),
                    med(missNs.get(c)) / 1e3);
        }
        System.out.println("load average at the end: " + loadavg());
    }

    /** Each container's init process's cgroup v2 path and id (the directory's inode), as the sensor reads them. */
    private List<Cgroup> cgroups(List<String> ids) throws Exception {
        Path mount = cgroup2Mount();
        List<String> args = new ArrayList<>(List.of("inspect", "-f", "{{.Id}} {{.State.Pid}}"));
        args.addAll(ids);
        List<Cgroup> out = new ArrayList<>();
        for (String line : docker(args.toArray(String[]::new)).split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length != 2) continue;
            String path = null;
            for (String l : Files.readAllLines(Path.of("/proc/" + f[1] + "/cgroup"))) {
                if (l.startsWith("0::")) path = l.substring(3);
            }
            if (path == null) throw new IllegalStateException("no cgroup v2 line for pid " + f[1]);
            long ino = ((Number) Files.getAttribute(Path.of(mount + path), "unix:ino")).longValue();
            out.add(new Cgroup(f[0], path, ino));
        }
        if (out.size() != ids.size()) throw new IllegalStateException("cgroups of " + out.size() + " of " + ids.size() + " containers");
        return out;
    }

    private static Path cgroup2Mount() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int sep = l.indexOf(" - ");
            if (sep > 0 && l.substring(sep + 3).startsWith("cgroup2 ")) return Path.of(l.split(" ")[4]);
        }
        throw new IllegalStateException("no cgroup2 mount");
    }

    // ------------------------------------------------------------------ helpers

    private void rmAll(List<String> ids) throws Exception {
        List<String> args = new ArrayList<>(List.of("rm", "-f"));
        args.addAll(ids);
        docker(args.toArray(String[]::new));
    }

    private String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(dockerCli, "-H", "unix://" + socket));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: docker " + String.join(" ", args));
        }
        if (p.exitValue() != 0) throw new IllegalStateException("docker " + args[0] + " exited " + p.exitValue());
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier cond, int seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out waiting for: " + what);
            Thread.sleep(1);
        }
    }

    private static long wallNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static void row(String what, List<Double> xs) {
        System.out.printf("| %s | %.1f | %.1f | %.1f | %.1f |%n", what, pct(xs, 50), pct(xs, 90), pct(xs, 100), min(xs));
    }

    /** Nearest-rank percentile. */
    static double pct(List<Double> xs, double p) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        if (s.isEmpty()) return Double.NaN;
        int rank = (int) Math.ceil(p / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    static double med(List<Double> xs) { return ResolveBenchMain.median(xs); }

    static double min(List<Double> xs) { return xs.stream().mapToDouble(d -> d).min().orElse(Double.NaN); }

    static double maxOf(List<Double> xs) { return xs.stream().mapToDouble(d -> d).max().orElse(Double.NaN); }

    static String loadavg() { return ResolveBenchMain.loadavg(); }
}
