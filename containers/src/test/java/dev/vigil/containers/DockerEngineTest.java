package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.ContainerView;
import dev.vigil.events.EventView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Against a real Docker Engine (no mocks): containers run plain, privileged, with added capabilities, a bind
 * mount, Kubernetes labels, a name and a user; their processes' real cgroups resolve to the right metadata on the
 * first lookup (the event stream warmed the cache before the test could ask), and stopped containers are
 * forgotten after the grace period.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerEngineTest {
    static final long GRACE_MS = 1500;
    DockerEngine engine;
    CachingResolver resolver;

    @BeforeAll void start() throws Exception {
        engine = DockerEngine.start();
        resolver = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(engine.socket)
                .withGrace(Duration.ofMillis(GRACE_MS)));
        FaultySocketTest.await(() -> resolver.stats().streamConnects() == 1, "event stream connected");
    }

    @AfterAll void stop() throws Exception {
        if (resolver != null) resolver.close();
        if (engine != null) engine.close();
        if (engine != null) assertThat(engine.dir).doesNotExist();
    }

    /** A running container's init process: its v2 cgroup path and id, as the sensor sees them. */
    record Cg(String fullId, int pid, String path, long id) {}

    Cg cgroupOf(String fullId) throws Exception {
        int pid = Integer.parseInt(engine.docker("inspect", "-f", "{{.State.Pid}}", fullId));
        String path = null;
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (l.startsWith("0::")) path = l.substring(3);
        }
        assertThat(path).isNotNull();
        Path v2 = Path.of(DockerEngineTest.v2Mount() + path);
        long id = ((Number) Files.getAttribute(v2, "unix:ino")).longValue();
        return new Cg(fullId, pid, path, id);
    }

    static String v2Mount() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int sep = l.indexOf(" - ");
            if (sep > 0 && l.substring(sep + 3).startsWith("cgroup2 ")) return l.split(" ")[4];
        }
        throw new AssertionError("no cgroup2 mount");
    }

    /** docker run -d ...; then the first resolve of its init process must already be complete. */
    ContainerInfo runAndResolve(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("run", "-d", "--network", "none"));
        a.addAll(List.of(args));
        String id = engine.docker(a.toArray(String[]::new));
        assertThat(id).matches("[0-9a-f]{64}");
        Cg cg = cgroupOf(id);
        assertThat(cg.path()).isEqualTo("/docker/" + id);
        long fetchesBefore = resolver.stats().fetches();
        ContainerView v = resolver.resolve(cg.id(), cg.path());
        assertThat(v).isInstanceOf(ContainerInfo.class);
        ContainerInfo ci = (ContainerInfo) v;
        assertThat(ci.complete()).as("metadata there on the first lookup (warmed by the event stream)").isTrue();
        assertThat(resolver.stats().fetches()).as("no fetch caused by the lookup").isEqualTo(fetchesBefore);
        assertThat(v.id().toString()).isEqualTo(id.substring(0, 12));
        assertThat(v.fullId().toString()).isEqualTo(id);
        assertThat(v.runtime().toString()).isEqualTo("docker");
        assertThat(v.isHost()).isFalse();
        // and through the path alone (cgroup id unknown), and from /proc/<pid>/cgroup
        assertThat(resolver.resolve(0, cg.path())).isSameAs(v);
        assertThat(ContainerId.ofPid(cg.pid()).fullId()).isEqualTo(id);
        return ci;
    }

    @Test @Order(1) void plain() throws Exception {
        long before = System.currentTimeMillis() * 1_000_000L;
        ContainerInfo c = runAndResolve("--name", "plain", DockerEngine.IMAGE, "sleep", "300");
        long after = System.currentTimeMillis() * 1_000_000L;
        assertThat(c.name().toString()).isEqualTo("plain");
        assertThat(c.image().toString()).isEqualTo(DockerEngine.IMAGE);
        assertThat(c.imageRepository().toString()).isEqualTo("vigil-busybox");
        assertThat(c.imageTag().toString()).isEqualTo("1");
        assertThat(c.imageId().toString()).matches("[0-9a-f]{64}");
        assertThat(c.imageDigest()).as("an imported image has no registry digest").isNull();
        assertThat(c.privileged()).isFalse();
        assertThat(c.capAdd()).isEmpty();
        assertThat(c.mountCount()).isZero();
        assertThat(c.networkMode()).isEqualTo("none");
        assertThat(c.user()).isEmpty();
        assertThat(c.label(ContainerView.LABEL_POD_NAME)).isNull();
        assertThat(c.startTs()).isBetween(before - 1_000_000_000L, after + 1_000_000_000L);
        // host processes stay host, even with containers around
        assertThat(resolver.resolve(1, "/").isHost()).isTrue();
        assertThat(resolver.resolve(0, "/process_api/76fcb037796bf1973a44f894df00f6ec").isHost()).isTrue();
    }

    @Test @Order(2) void privileged() throws Exception {
        ContainerInfo c = runAndResolve("--privileged", DockerEngine.IMAGE, "sleep", "300");
        assertThat(c.privileged()).isTrue();
        assertThat(c.name().toString()).isNotBlank(); // docker's generated name
    }

    @Test @Order(2) void hostNamespaces() throws Exception {
        // container.host_pid / host_ipc (the network is none here: host_network false, no IP)
        ContainerInfo c = runAndResolve("--pid", "host", "--ipc", "host", DockerEngine.IMAGE, "sleep", "300");
        assertThat(c.hostPid()).isTrue();
        assertThat(c.hostIpc()).isTrue();
        assertThat(c.hostNetwork()).isFalse();
        assertThat(c.ip()).isNull();
        ContainerInfo plain = runAndResolve(DockerEngine.IMAGE, "sleep", "300");
        assertThat(plain.hostPid() || plain.hostIpc() || plain.hostNetwork()).isFalse();
    }

    @Test @Order(3) void ipOnAUserNetworkAndHostNetwork() throws Exception {
        // container.ip: the address docker gave it on a network of its own (a TEST-NET bridge, removed after)
        String net = "vigil-ip-" + ProcessHandle.current().pid();
        engine.docker("network", "create", "--subnet", "203.0.113.0/28", net);
        try {
            String id = engine.docker("run", "-d", "--network", net, "--ip", "203.0.113.7", DockerEngine.IMAGE, "sleep", "300");
            Cg cg = cgroupOf(id);
            FaultySocketTest.await(() -> resolver.cached(id) != null && resolver.cached(id).complete(), "metadata");
            ContainerView v = resolver.resolve(cg.id(), cg.path());
            assertThat(String.valueOf(v.ip())).isEqualTo("203.0.113.7");
            assertThat(v.hostNetwork()).isFalse();
            engine.docker("rm", "-f", id);
            String hostNet = engine.docker("run", "-d", "--network", "host", DockerEngine.IMAGE, "sleep", "300");
            Cg hcg = cgroupOf(hostNet);
            FaultySocketTest.await(() -> resolver.cached(hostNet) != null && resolver.cached(hostNet).complete(), "metadata");
            ContainerView h = resolver.resolve(hcg.id(), hcg.path());
            assertThat(h.hostNetwork()).isTrue();
            assertThat(h.ip()).isNull();
            engine.docker("rm", "-f", hostNet);
        } finally {
            for (String left : engine.docker("ps", "-aq", "--filter", "network=" + net).split("\\s+")) {
                if (!left.isBlank()) engine.docker("rm", "-f", left);
            }
            engine.docker("network", "rm", net);
        }
    }

    @Test @Order(3) void capAdd() throws Exception {
        ContainerInfo c = runAndResolve("--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", DockerEngine.IMAGE, "sleep", "300");
        assertThat(c.privileged()).isFalse();
        assertThat(c.capAdd()).containsExactly("SYS_ADMIN", "NET_ADMIN");
    }

    @Test @Order(4) void bindMount() throws Exception {
        Path x = Files.createDirectories(engine.dir.resolve("x"));
        Path y = Files.createDirectories(engine.dir.resolve("y"));
        ContainerInfo c = runAndResolve("-v", x + ":/data:ro", "-v", y + ":/rw", DockerEngine.IMAGE, "sleep", "300");
        assertThat(c.mountCount()).isEqualTo(2);
        var byDest = new java.util.HashMap<String, dev.vigil.events.Mount>();
        for (int i = 0; i < c.mountCount(); i++) byDest.put(c.mount(i).dest(), c.mount(i));
        assertThat(byDest.get("/data").source()).isEqualTo(x.toString());
        assertThat(byDest.get("/data").readWrite()).isFalse();
        assertThat(byDest.get("/data").mode()).isEqualTo("ro");
        assertThat(byDest.get("/rw").source()).isEqualTo(y.toString());
        assertThat(byDest.get("/rw").readWrite()).isTrue();
        assertThat(byDest.get("/rw").propagation()).isEqualTo("rprivate");
    }

    @Test @Order(5) void kubernetesLabelsNameUser() throws Exception {
        ContainerInfo c = runAndResolve("--name", "podc", "-l", "io.kubernetes.pod.name=p1", "-l",
                "io.kubernetes.pod.namespace=ns1", "-l", "team=blue", "--user", "1000:1000", DockerEngine.IMAGE, "sleep", "300");
        assertThat(c.name().toString()).isEqualTo("podc");
        assertThat(c.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("p1");
        assertThat(c.label(ContainerView.LABEL_POD_NAMESPACE).toString()).isEqualTo("ns1");
        assertThat(c.label("team").toString()).isEqualTo("blue");
        assertThat(c.user()).isEqualTo("1000:1000");
    }

    @Test @Order(6) void containersRunningBeforeTheResolverAreKnown() throws Exception {
        String id = engine.docker("run", "-d", "--network", "none", "--name", "early", DockerEngine.IMAGE, "sleep", "300");
        Cg cg = cgroupOf(id);
        try (CachingResolver late = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(engine.socket))) {
            FaultySocketTest.await(() -> late.cached(id) != null && late.cached(id).complete(), "resync fetched it");
            assertThat(late.resolve(cg.id(), cg.path()).name().toString()).isEqualTo("early");
        }
        // without the event stream: the first lookup is id-only, one fetch, then complete
        try (CachingResolver cold = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(engine.socket)
                .withWatchEvents(false))) {
            ContainerInfo first = (ContainerInfo) cold.resolve(cg.id(), cg.path());
            assertThat(first.complete()).isFalse();
            assertThat(first.id().toString()).isEqualTo(id.substring(0, 12));
            for (int i = 0; i < 100; i++) cold.resolve(cg.id(), cg.path()); // concurrent asks share the one fetch
            FaultySocketTest.await(() -> ((ContainerInfo) cold.resolve(cg.id(), cg.path())).complete(), "fetched");
            assertThat(cold.stats().fetches()).isEqualTo(1);
            assertThat(cold.resolve(cg.id(), cg.path()).name().toString()).isEqualTo("early");
        }
    }

    @Test @Order(7) void stoppedContainerIsForgottenAfterGrace() throws Exception {
        String id = engine.docker("run", "-d", "--network", "none", "--name", "shortlived", DockerEngine.IMAGE, "sleep", "300");
        Cg cg = cgroupOf(id);
        assertThat(((ContainerInfo) resolver.resolve(cg.id(), cg.path())).complete()).isTrue();
        long evictedBefore = resolver.stats().evicted();
        // timed from before the removal: the resolver can see the container die before `docker rm` returns
        long stopped = System.nanoTime();
        engine.docker("rm", "-f", id);
        // late events within the grace period still get the metadata
        Thread.sleep(GRACE_MS / 3);
        assertThat(resolver.resolve(cg.id(), cg.path()).name().toString()).isEqualTo("shortlived");
        FaultySocketTest.await(() -> resolver.cached(id) == null, "forgotten");
        long forgottenAfterMs = (System.nanoTime() - stopped) / 1_000_000;
        assertThat(forgottenAfterMs).isGreaterThanOrEqualTo(GRACE_MS - 50);
        assertThat(resolver.stats().evicted()).isGreaterThan(evictedBefore);
        // asked again: the id only, one fetch, the engine no longer knows it
        long nf = resolver.stats().notFound();
        ContainerInfo again = (ContainerInfo) resolver.resolve(cg.id(), cg.path());
        assertThat(again.complete()).isFalse();
        assertThat(again.fullId().toString()).isEqualTo(id);
        FaultySocketTest.await(() -> resolver.stats().notFound() == nf + 1, "not found");
        System.out.println("[containers] stopped container forgotten " + forgottenAfterMs + " ms after docker rm (grace " + GRACE_MS + " ms)");
    }

    @Test @Order(8) void measure() throws Exception {
        // latency from `docker run -d` to the metadata being in the cache (event stream + one inspect)
        int n = 8;
        long[] lat = new long[n], createdToCached = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            String id = engine.docker("run", "-d", "--network", "none", DockerEngine.IMAGE, "sleep", "300");
            long returned = System.nanoTime();
            ContainerInfo c;
            while ((c = resolver.cached(id)) == null || !c.complete()) Thread.sleep(0, 200_000);
            lat[i] = System.nanoTime() - t0;
            String[] times = engine.docker("inspect", "-f", "{{.Created}} {{.State.StartedAt}}", id).split(" ");
            long created = DockerApi.time(times[0]), started = DockerApi.time(times[1]);
            long complete = resolver.firstCompleteAt(id);
            createdToCached[i] = complete - created;
            System.out.printf("[containers] docker run -d took %.1f ms; metadata cached %.1f ms after the container was"
                    + " created, %.1f ms %s it started%n", (returned - t0) / 1e6, (complete - created) / 1e6,
                    Math.abs(complete - started) / 1e6, complete < started ? "before" : "after");
        }
        java.util.Arrays.sort(lat);
        java.util.Arrays.sort(createdToCached);
        System.out.printf("[containers] created -> cached: median %.1f ms, max %.1f ms%n",
                createdToCached[n / 2] / 1e6, createdToCached[n - 1] / 1e6);
        System.out.printf("[containers] docker run -> cached: median %.1f ms, max %.1f ms (n=%d)%n", lat[n / 2] / 1e6, lat[n - 1] / 1e6, n);

        // metadata lookups per second: inspect (+ image, cached) of the running containers, sequential and 8 at a time
        List<String> ids = List.of(engine.docker("ps", "-q", "--no-trunc").split("\\s+"));
        DockerApi api = new DockerApi(engine.socket, 2_000_000_000L);
        LookupRates rates = LookupRates.measure(api, ids.stream().map(id -> ContainerId.of("docker", id)).toList(),
                1_000_000_000L);
        double seq = rates.sequential(), par = rates.parallel();
        System.out.printf("[containers] Docker inspect lookups: %.0f/s sequential, %.0f/s with 8 in flight (%d containers)%n", seq, par, ids.size());

        // the hot path: resolve() on a container cgroup vs a host cgroup (one table lookup either way)
        Cg cg = cgroupOf(ids.getFirst());
        double ctr = nsPerResolve(cg.id(), cg.path()), host = nsPerResolve(1, "/");
        System.out.printf("[containers] resolve(): %.1f ns/op container, %.1f ns/op host%n", ctr, host);
        assertThat(seq).isGreaterThan(10);
        assertThat(lat[n / 2]).isLessThan(5_000_000_000L);
    }

    double nsPerResolve(long id, String path) {
        long sink = 0;
        for (int w = 0; w < 3; w++) {
            for (int i = 0; i < 1_000_000; i++) sink += resolver.resolve(id, path).mountCount();
        }
        long t0 = System.nanoTime();
        int n = 5_000_000;
        for (int i = 0; i < n; i++) sink += resolver.resolve(id, path).mountCount();
        double r = (System.nanoTime() - t0) / (double) n;
        if (sink == 42) System.out.print("");
        return r;
    }
}
