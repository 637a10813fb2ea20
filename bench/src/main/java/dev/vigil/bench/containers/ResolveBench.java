package dev.vigil.bench.containers;

import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.containers.ContainerStats;
import dev.vigil.events.Container;
import dev.vigil.events.ContainerView;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sensor's per-event cost of {@link ContainerResolver#resolve}: one operation is one call, over a fixed
 * stream of {@value #QUERIES} (cgroup id, path) pairs drawn from {@value #CGROUPS} cgroups that were all seen
 * before (the steady state: every cgroup is in the table). The scenarios share the cgroup ids and the query
 * order exactly, so only what a slot points to differs:
 * <ul>
 *   <li>{@code hostOnly}: all cgroups are host cgroups (no container anywhere);</li>
 *   <li>{@code containers}: {@value #CONTAINERS} of them are Docker containers whose metadata is cached
 *       (fetched through the resolver's real inspect path, from {@link FakeEngine}), half the queries hit
 *       them;</li>
 *   <li>{@code idOnlyFetching}: the same containers, their inspect still in flight (the engine never answers),
 *       so every hit returns the id-only view and checks whether to fetch;</li>
 *   <li>{@code idOnlyNoRuntime}: the same containers with no runtime to ask ({@link ContainerResolver#identityOnly}).</li>
 * </ul>
 * The requirement is {@code containers} = {@code hostOnly}; run with {@code -prof gc} for bytes/call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ResolveBench {
    static final int CGROUPS = 256, CONTAINERS = 50, QUERIES = 4096;

    @Param({"hostOnly", "containers", "idOnlyFetching", "idOnlyNoRuntime"})
    public String scenario;

    long[] qIds;
    String[] qPaths;
    ContainerResolver resolver;
    FakeEngine engine;
    long fetchesAfterSetup;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        boolean withContainers = !scenario.equals("hostOnly");
        Random rnd = new Random(20261125); // same seed in every scenario: same ids, same order
        long[] ids = new long[CGROUPS];
        Set<Long> used = new HashSet<>();
        for (int i = 0; i < CGROUPS; i++) {
            long id;
            do { id = 1000 + rnd.nextInt(200_000); } while (!used.add(id)); // kernfs inode numbers: small, sparse
            ids[i] = id;
        }
        String[] paths = new String[CGROUPS];
        byte[] raw = new byte[32];
        for (int i = 0; i < CGROUPS; i++) {
            rnd.nextBytes(raw); // drawn for every i, so the host paths are the same in every scenario
            String containerId = HexFormat.of().formatHex(raw);
            if (i < CONTAINERS && withContainers) paths[i] = "/docker/" + containerId;
            else paths[i] = switch (i % 4) {
                case 0 -> "/system.slice/service-" + i + ".service";
                case 1 -> "/user.slice/user-1000.slice/session-" + i + ".scope";
                case 2 -> "/system.slice/docker.service"; // the daemon: a host cgroup whose path says docker
                default -> "/user.slice/user-1000.slice/user@1000.service/app.slice/app-" + i + ".scope";
            };
        }
        qIds = new long[QUERIES];
        qPaths = new String[QUERIES];
        for (int q = 0; q < QUERIES; q++) {
            // half the events come from the first CONTAINERS cgroups (containers, where there are any)
            int i = rnd.nextBoolean() ? rnd.nextInt(CONTAINERS) : CONTAINERS + rnd.nextInt(CGROUPS - CONTAINERS);
            qIds[q] = ids[i];
            qPaths[q] = paths[i];
        }

        ContainerResolver.Options base = ContainerResolver.Options.defaults().withWatchEvents(false);
        switch (scenario) {
            case "hostOnly", "containers" -> {
                engine = new FakeEngine(FakeEngine.Mode.ANSWER);
                resolver = ContainerResolver.create(base.withDockerSocket(engine.socket));
            }
            case "idOnlyFetching" -> {
                engine = new FakeEngine(FakeEngine.Mode.SILENT);
                resolver = ContainerResolver.create(base.withDockerSocket(engine.socket).withRequestTimeout(Duration.ofDays(1)));
            }
            case "idOnlyNoRuntime" -> resolver = ContainerResolver.identityOnly();
            default -> throw new IllegalArgumentException(scenario);
        }
        for (int i = 0; i < CGROUPS; i++) resolver.resolve(ids[i], paths[i]); // every cgroup seen once
        // fetches run on their own threads: wait for them to settle, so the check in tearDown is about the
        // measured calls (all done for containers; for idOnlyFetching, as many in flight as permits, the rest
        // queued for a permit, none counted yet)
        long target = switch (scenario) {
            case "containers" -> CONTAINERS;
            case "idOnlyFetching" -> Math.min(CONTAINERS, base.maxConcurrentFetches());
            default -> 0;
        };
        long end = System.nanoTime() + 30_000_000_000L;
        while (resolver.stats().fetches() < target || (scenario.equals("containers") && resolver.stats().fetchedOk() < target)) {
            if (System.nanoTime() > end) throw new IllegalStateException(scenario + ": fetches not settled: " + resolver.stats());
            Thread.sleep(1);
        }
        // the state each scenario claims, checked rather than assumed
        int host = 0, complete = 0, idOnly = 0;
        for (int i = 0; i < CGROUPS; i++) {
            ContainerView v = resolver.resolve(ids[i], paths[i]);
            if (v == Container.HOST) host++;
            else if (((ContainerInfo) v).complete()) complete++;
            else idOnly++;
        }
        int expectHost = withContainers ? CGROUPS - CONTAINERS : CGROUPS;
        int expectComplete = scenario.equals("containers") ? CONTAINERS : 0;
        int expectIdOnly = withContainers ? CONTAINERS - expectComplete : 0;
        if (host != expectHost || complete != expectComplete || idOnly != expectIdOnly) {
            throw new IllegalStateException(scenario + ": host " + host + ", complete " + complete + ", id-only " + idOnly);
        }
        fetchesAfterSetup = resolver.stats().fetches();
    }

    @Benchmark
    @OperationsPerInvocation(QUERIES)
    public int resolve() {
        int inContainers = 0;
        for (int q = 0; q < QUERIES; q++) {
            if (resolver.resolve(qIds[q], qPaths[q]) != Container.HOST) inContainers++;
        }
        return inContainers; // returned, so JMH keeps the calls
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ContainerStats s = resolver.stats();
        if (scenario.equals("idOnlyFetching")) {
            // the fetches still queued for a permit run once the engine goes away and fail, as they should;
            // their one-time warnings would only clutter the bench's output
            java.util.logging.Logger.getLogger("dev.vigil.containers").setLevel(java.util.logging.Level.SEVERE);
        }
        resolver.close();
        if (engine != null) engine.close();
        // a hit must never ask the runtime: the fetch count is what setup left
        if (s.fetches() != fetchesAfterSetup) {
            throw new IllegalStateException(scenario + ": the measured calls fetched: " + fetchesAfterSetup + " -> " + s.fetches());
        }
    }
}
