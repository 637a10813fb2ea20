package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.ContainerView;
import dev.vigil.events.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Against a real containerd and its CRI plugin (no mocks): pods and containers made through the CRI itself; the
 * container processes' real cgroups (kubelet's cgroupfs layout, {@code /kubepods/.../pod<uid>/<id>}) resolve,
 * once the one lookup made off the hot path is back, to the name, image, labels, pod, mounts, start time and
 * privileged flag containerd reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdCriTest {
    ContainerdEngine engine;
    CachingResolver resolver;

    @BeforeAll void start() throws Exception {
        engine = ContainerdEngine.start();
        resolver = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(null)
                .withCriSockets(List.of(Path.of("/nonexistent/crio.sock"), engine.socket))
                .withRetryAfterFailure(Duration.ofMillis(200)));
    }

    @AfterAll void stop() throws Exception {
        if (resolver != null) resolver.close();
        if (engine != null) engine.close();
        if (engine != null) {
            assertThat(engine.dir).doesNotExist();
            assertThat(Path.of("/sys/fs/cgroup/memory" + engine.cgroupParent)).doesNotExist();
        }
    }

    /** A container's init: its pid, unified-hierarchy cgroup path and that cgroup's id (inode). */
    record Cg(int pid, String path, long id) {}

    Cg cgroupOf(String containerId) throws Exception {
        return cgroupOfPid(engine.pid(containerId));
    }

    Cg cgroupOfPid(int pid) throws Exception {
        String path = null;
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            if (l.startsWith("0::")) path = l.substring(3);
        }
        assertThat(path).isNotNull();
        long id = ((Number) Files.getAttribute(Path.of(DockerEngineTest.v2Mount() + path), "unix:ino")).longValue();
        return new Cg(pid, path, id);
    }

    /** Resolves until complete (the first lookups return the id alone while the CRI is asked); each call prompt. */
    ContainerInfo resolveComplete(Cg cg) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            long t0 = System.nanoTime();
            ContainerView v = resolver.resolve(cg.id(), cg.path());
            assertThat(System.nanoTime() - t0).as("resolve never waits for the runtime").isLessThan(50_000_000L);
            assertThat(v).isInstanceOf(ContainerInfo.class);
            ContainerInfo ci = (ContainerInfo) v;
            if (ci.complete()) return ci;
            if (System.nanoTime() > end) throw new AssertionError("no metadata after 10 s; stats " + resolver.stats());
            Thread.sleep(5);
        }
    }

    @Test @Order(1) void podContainerWithLabelsAndMounts() throws Exception {
        Path ro = Files.createDirectories(engine.dir.resolve("ro-src"));
        Path rw = Files.createDirectories(engine.dir.resolve("rw-src"));
        String pod = engine.runPod("web-0", "team-a", "uid-1234", false);
        long before = System.currentTimeMillis() * 1_000_000L;
        String id = engine.runContainer(pod, new ContainerdEngine.Spec("app",
                Map.of("team", "blue", "tier", "front"), List.of("/bin/sleep", "300"),
                List.of(new String[] {ro.toString(), "/data", "ro"}, new String[] {rw.toString(), "/scratch", "rw"}), false));
        long after = System.currentTimeMillis() * 1_000_000L;
        assertThat(id).matches("[0-9a-f]{64}");
        Cg cg = cgroupOf(id);
        assertThat(cg.path()).isEqualTo(engine.cgroupParent + "/" + id);
        assertThat(ContainerId.parse(cg.path()).runtime()).isEqualTo(ContainerId.CRI);

        ContainerInfo c = resolveComplete(cg);
        assertThat(c.fullId().toString()).isEqualTo(id);
        assertThat(c.id().toString()).isEqualTo(id.substring(0, 12));
        assertThat(c.runtime().toString()).as("the CRI's Version names the runtime").isEqualTo("containerd");
        assertThat(c.name().toString()).isEqualTo("app");
        assertThat(c.image().toString()).isEqualTo(ContainerdEngine.IMAGE);
        assertThat(c.imageRepository().toString()).isEqualTo("docker.io/vigil/busybox");
        assertThat(c.imageTag().toString()).isEqualTo("1");
        assertThat(c.label("team").toString()).isEqualTo("blue");
        assertThat(c.label("tier").toString()).isEqualTo("front");
        // the pod, from the sandbox's metadata (these containers carry no io.kubernetes.* labels)
        assertThat(c.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("web-0");
        assertThat(c.label(ContainerView.LABEL_POD_NAMESPACE).toString()).isEqualTo("team-a");
        assertThat(c.label(ContainerView.LABEL_POD_UID).toString()).isEqualTo("uid-1234");
        // k8s.pod.label[KEY]: the pod's own labels, from the sandbox (not the container's)
        assertThat(c.podLabel("app").toString()).isEqualTo("web-0");
        assertThat(c.podLabel("team")).isNull();
        assertThat(c.podLabels()).containsEntry("app", "web-0");
        assertThat(c.networkMode()).isEqualTo("host");
        // the pod's namespace modes from PodSandboxStatus: network and ipc NODE, pid CONTAINER; no pod IP on the node's network
        assertThat(c.hostNetwork()).isTrue();
        assertThat(c.hostIpc()).isTrue();
        assertThat(c.hostPid()).isFalse();
        assertThat(c.ip()).isNull();
        assertThat(c.privileged()).isFalse();
        assertThat(c.startTs()).isBetween(before - 1_000_000_000L, after + 1_000_000_000L);
        Map<String, Mount> byDest = new HashMap<>();
        for (int i = 0; i < c.mountCount(); i++) byDest.put(c.mount(i).dest(), c.mount(i));
        assertThat(byDest.get("/data").source()).isEqualTo(ro.toString());
        assertThat(byDest.get("/data").readWrite()).isFalse();
        assertThat(byDest.get("/data").mode()).isEqualTo("ro");
        assertThat(byDest.get("/scratch").source()).isEqualTo(rw.toString());
        assertThat(byDest.get("/scratch").readWrite()).isTrue();
        assertThat(byDest.get("/scratch").propagation()).isEqualTo("rprivate");

        // cached: the same view again without asking, by cgroup id, by path alone, and by the systemd-driver name
        long fetches = resolver.stats().fetches();
        assertThat(resolver.resolve(cg.id(), cg.path())).isSameAs(c);
        assertThat(resolver.resolve(0, cg.path())).isSameAs(c);
        assertThat(resolver.resolve(0, "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-" + id + ".scope")).isSameAs(c);
        assertThat(resolver.stats().fetches()).isEqualTo(fetches);
        assertThat(ContainerId.ofPid(cg.pid()).fullId()).isEqualTo(id);
        assertThat(resolver.stats().failures()).as("the missing CRI-O socket is no failure when containerd answers").isZero();

        // the pod's sandbox (pause) process: its own cgroup, known to the CRI as a sandbox, not a container
        Cg pause = null;
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            ContainerId of = ContainerId.ofPid((int) h.pid());
            if (of != null && of.fullId().equals(pod)) { pause = cgroupOfPid((int) h.pid()); break; }
        }
        assertThat(pause).as("the sandbox's process").isNotNull();
        assertThat(pause.path()).isEqualTo(engine.cgroupParent + "/" + pod);
        ContainerInfo p = resolveComplete(pause);
        assertThat(p.fullId().toString()).isEqualTo(pod);
        assertThat(p.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("web-0");
        assertThat(p.label(ContainerView.LABEL_POD_NAMESPACE).toString()).isEqualTo("team-a");
        assertThat(p.label("app").toString()).as("the sandbox's labels").isEqualTo("web-0");
        assertThat(p.name()).isNull();
        assertThat(p.image()).isNull();
        assertThat(p.startTs()).isLessThanOrEqualTo(c.startTs());
    }

    @Test @Order(2) void kubeletLabelsWinAndPrivileged() throws Exception {
        String pod = engine.runPod("db-0", "team-b", "uid-5678", true);
        String id = engine.runContainer(pod, new ContainerdEngine.Spec("db",
                Map.of(ContainerView.LABEL_POD_NAME, "db-0", ContainerView.LABEL_POD_NAMESPACE, "team-b",
                        "io.kubernetes.container.name", "db"),
                List.of("/bin/sleep", "300"), List.of(), true));
        ContainerInfo c = resolveComplete(cgroupOf(id));
        assertThat(c.name().toString()).isEqualTo("db");
        assertThat(c.privileged()).as("from containerd's verbose info").isTrue();
        assertThat(c.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("db-0");
        assertThat(c.label(ContainerView.LABEL_POD_NAMESPACE).toString()).isEqualTo("team-b");
        assertThat(c.label("io.kubernetes.container.name").toString()).isEqualTo("db");
    }

    /** hostPID without hostIPC: the pid namespace is the node's (the container sees every process), the ipc one the pod's. */
    @Test @Order(2) void hostPidPod() throws Exception {
        String pod = engine.runPod("top-0", "team-d", "uid-top", false, ContainerdEngine.NODE, ContainerdEngine.NODE, ContainerdEngine.POD);
        String id = engine.runContainer(pod, new ContainerdEngine.Spec("top", Map.of(), List.of("/bin/sleep", "300"), List.of(), false));
        Cg cg = cgroupOf(id);
        ContainerInfo c = resolveComplete(cg);
        assertThat(c.hostPid()).isTrue();
        assertThat(c.hostIpc()).isFalse();
        assertThat(c.hostNetwork()).isTrue();
        // what the runtime did: the container's init shares the pid namespace of this (host) JVM, not its ipc one
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + cg.pid() + "/ns/pid"))).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + cg.pid() + "/ns/ipc"))).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")));
    }

    /**
     * A pod on its own network (a CNI bridge with no host address, addresses from the benchmarking range): the
     * container's IP is the pod's, as PodSandboxStatus reports it and as the container's own eth0 has it.
     */
    @Test @Order(2) void podNetworkIp() throws Exception {
        engine.enablePodNetwork("fidelitybr0", "198.18.77.0/28");
        String pod = engine.runPod("net-0", "team-e", "uid-net", false, ContainerdEngine.POD, ContainerdEngine.CONTAINER, ContainerdEngine.POD);
        String id = engine.runContainer(pod, new ContainerdEngine.Spec("net", Map.of(), List.of("/bin/sleep", "300"), List.of(), false));
        Cg cg = cgroupOf(id);
        ContainerInfo c = resolveComplete(cg);
        assertThat(c.hostNetwork()).isFalse();
        assertThat(c.hostPid()).isFalse();
        assertThat(c.hostIpc()).isFalse();
        assertThat(c.networkMode()).isEqualTo("pod");
        assertThat(c.ip()).isNotNull();
        String ip = c.ip().toString();
        assertThat(ip).startsWith("198.18.77.");
        Process p = new ProcessBuilder("nsenter", "-t", Integer.toString(cg.pid()), "-n", "ip", "-4", "-o", "addr", "show", "eth0")
                .redirectErrorStream(true).start();
        String addr = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(addr).isZero();
        assertThat(addr).as("the container's own eth0").contains(" " + ip + "/28");
    }

    @Test @Order(3) void containersRunningBeforeTheResolverAreFetchedAtStart() throws Exception {
        String pod = engine.runPod("early-0", "team-c", "uid-early", false);
        String id = engine.runContainer(pod, new ContainerdEngine.Spec("early", Map.of(), List.of("/bin/sleep", "300"), List.of(), false));
        try (CachingResolver late = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(null)
                .withCriSockets(List.of(engine.socket)))) {
            FaultySocketTest.await(() -> late.cached(id) != null && late.cached(id).complete(), "fetched at start");
            Cg cg = cgroupOf(id);
            long fetches = late.stats().fetches();
            ContainerInfo c = (ContainerInfo) late.resolve(cg.id(), cg.path());
            assertThat(c.complete()).as("complete on the first lookup").isTrue();
            assertThat(c.name().toString()).isEqualTo("early");
            assertThat(c.label(ContainerView.LABEL_POD_NAMESPACE).toString()).isEqualTo("team-c");
            assertThat(late.stats().fetches()).isEqualTo(fetches);
        }
    }

    /**
     * An id the CRI does not know: asked again every 200 ms while young (a sandbox is registered only once its
     * process runs), then settled: asked no more.
     */
    @Test @Order(4) void unknownIdIsRetriedWhileYoungThenSettled() throws Exception {
        String ghost = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        long nf = resolver.stats().notFound();
        String path = engine.cgroupParent + "/" + ghost;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < CachingResolver.YOUNG_NANOS + 500_000_000L) {
            assertThat(((ContainerInfo) resolver.resolve(0, path)).complete()).isFalse();
            Thread.sleep(5);
        }
        long asked = resolver.stats().notFound() - nf;
        assertThat(asked).as("asked while young, at most every 200 ms").isBetween(3L, 18L);
        for (int i = 0; i < 100; i++) {
            resolver.resolve(0, path);
            Thread.sleep(5);
        }
        assertThat(resolver.stats().notFound() - nf).as("settled: asked no more").isEqualTo(asked);
    }

    /**
     * Numbers for BENCHMARKS.md. The CRI has no event stream Vigil reads (containerd 1.6 has no
     * GetContainerEvents), so the lookup starts at the container's first event: here, a resolve made as soon as
     * StartContainer returns.
     */
    @Test @Order(5) void measure() throws Exception {
        String pod = engine.runPod("bench-0", "bench", "uid-bench", false);
        int n = 8;
        long[] startedToCached = new long[n], firstSeenToCached = new long[n];
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = engine.runContainer(pod, new ContainerdEngine.Spec("c" + i, Map.of("i", "" + i),
                    List.of("/bin/sleep", "300"), List.of(), false));
            long seen = System.nanoTime();
            String path = engine.cgroupParent + "/" + id;
            resolver.resolve(0, path);
            ContainerInfo c;
            while ((c = resolver.cached(id)) == null || !c.complete()) Thread.sleep(0, 200_000);
            firstSeenToCached[i] = System.nanoTime() - seen;
            startedToCached[i] = resolver.firstCompleteAt(id) - c.startTs();
            ids.add(id);
        }
        java.util.Arrays.sort(startedToCached);
        java.util.Arrays.sort(firstSeenToCached);
        System.out.printf("[containers] CRI: first event -> cached: median %.1f ms, max %.1f ms; container started"
                        + " (CRI started_at) -> cached: median %.1f ms, max %.1f ms (n=%d)%n",
                firstSeenToCached[n / 2] / 1e6, firstSeenToCached[n - 1] / 1e6,
                startedToCached[n / 2] / 1e6, startedToCached[n - 1] / 1e6, n);

        // lookups per second: what the resolver sends per new container (verbose ContainerStatus; the pod's
        // sandbox and the runtime's version are cached), sequential and 8 at a time
        CriApi api = new CriApi(engine.socket, 2_000_000_000L);
        try (api) {
            for (String id : ids) api.inspect(ContainerId.of(ContainerId.CRI, id)); // connect, warm
            LookupRates rates = LookupRates.measure(api, ids.stream().map(id -> ContainerId.of(ContainerId.CRI, id)).toList(),
                    2_000_000_000L);
            double seq = rates.sequential(), par = rates.parallel();
            System.out.printf("[containers] CRI ContainerStatus lookups: %.0f/s sequential, %.0f/s with 8 in flight"
                    + " (%d containers)%n", seq, par, ids.size());
            assertThat(seq).isGreaterThan(10);
            // the price of verbose (the sandbox id and privileged come with the OCI spec as JSON): bare calls
            double[] perSec = new double[2];
            for (int verbose = 0; verbose < 2; verbose++) {
                long calls = 0, t2 = System.nanoTime();
                while (System.nanoTime() - t2 < 1_000_000_000L) {
                    for (String id : ids) {
                        api.call("ContainerStatus", new Proto.Writer().string(1, id).bool(2, verbose == 1).toBytes());
                        calls++;
                    }
                }
                perSec[verbose] = calls / ((System.nanoTime() - t2) / 1e9);
            }
            System.out.printf("[containers] CRI ContainerStatus calls alone: %.0f/s verbose=false, %.0f/s verbose=true%n",
                    perSec[0], perSec[1]);
        }
        assertThat(firstSeenToCached[n / 2]).isLessThan(2_000_000_000L);
    }
}
