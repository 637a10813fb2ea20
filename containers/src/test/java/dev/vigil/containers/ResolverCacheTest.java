package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.ContainerView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class ResolverCacheTest {
    static String randomId() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test void boundedCache() {
        try (CachingResolver r = new CachingResolver(ContainerResolver.Options.defaults().withDockerSocket(null)
                .withWatchEvents(false).withMaxContainers(10))) {
            for (int i = 0; i < 50; i++) {
                ContainerView v = r.resolve(1000 + i, "/docker/" + randomId());
                assertThat(v.isHost()).isFalse();
            }
            // between sweeps the cache may grow to twice the bound; past that, lookups answer the id, uncached
            assertThat(r.stats().cached()).isEqualTo(20);
            assertThat(r.stats().uncached()).isEqualTo(30);
            assertThat(r.stats().cgroups()).isEqualTo(20);
            r.sweep();
            assertThat(r.stats().cached()).isEqualTo(10);
            assertThat(r.stats().evicted()).isEqualTo(10);
            assertThat(r.stats().cgroups()).isEqualTo(10); // the slots of forgotten containers go too
            // an uncached container's cgroup is cached once there is room
            ContainerView v = r.resolve(1049, "/docker/" + randomId());
            assertThat(r.stats().cgroups()).isEqualTo(11);
            assertThat(r.resolve(1049, "/ignored")).isSameAs(v);
        }
    }

    @Test void concurrentReadersSeeOneEntryPerCgroup() throws Exception {
        try (ContainerResolver r = ContainerResolver.identityOnly()) {
            String id = randomId();
            ContainerView[] seen = new ContainerView[8];
            Thread[] ts = new Thread[8];
            for (int t = 0; t < ts.length; t++) {
                int k = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    ContainerView last = null;
                    for (int i = 0; i < 100_000; i++) {
                        last = r.resolve(77, "/system.slice/docker-" + id + ".scope");
                        r.resolve(5000 + (i % 3000), i % 2 == 0 ? "/" : "/process_api/" + i);
                    }
                    seen[k] = last;
                });
            }
            for (Thread t : ts) t.join();
            for (ContainerView v : seen) assertThat(v).isSameAs(seen[0]);
            assertThat(seen[0].fullId().toString()).isEqualTo(id);
            assertThat(r.stats().fetches()).isZero();
        }
    }

    /**
     * The other runtimes' patterns on real cgroups: a child process moved into cgroups named like containerd's,
     * CRI-O's and podman's; its /proc/<pid>/cgroup and the v2 cgroup (id, path) resolve to that container.
     */
    @Test void otherRuntimesOnRealCgroups() throws Exception {
        Path v2 = Path.of(DockerEngineTest.v2Mount());
        if (!"root".equals(System.getProperty("user.name")) || !Files.isWritable(v2)) {
            DockerEngine.unusable("cannot create cgroups in " + v2);
        }
        Path parent = Files.createDirectories(v2.resolve("vigil-test-" + ProcessHandle.current().pid()));
        Process p = new ProcessBuilder("sleep", "60").start();
        try (ContainerResolver r = ContainerResolver.identityOnly()) {
            for (String[] c : List.of(new String[] {"cri-containerd-%s.scope", "containerd"},
                    new String[] {"crio-%s.scope", "cri-o"}, new String[] {"libpod-%s.scope", "podman"},
                    new String[] {"libpod-conmon-%s.scope", null}, new String[] {"docker-%s.scope", "docker"})) {
                String id = randomId();
                Path cg = Files.createDirectories(parent.resolve(c[0].formatted(id)));
                try {
                    Files.writeString(cg.resolve("cgroup.procs"), Long.toString(p.pid()));
                    String line = Files.readAllLines(Path.of("/proc/" + p.pid() + "/cgroup")).stream()
                            .filter(l -> l.startsWith("0::")).findFirst().orElseThrow();
                    String path = line.substring(3);
                    assertThat(path).endsWith("/" + cg.getFileName());
                    long cgid = ((Number) Files.getAttribute(cg, "unix:ino")).longValue();
                    ContainerView v = r.resolve(cgid, path);
                    if (c[1] == null) {
                        assertThat(v.isHost()).as(path).isTrue();
                    } else {
                        assertThat(v.runtime().toString()).as(path).isEqualTo(c[1]);
                        assertThat(v.fullId().toString()).isEqualTo(id);
                        assertThat(v.id().toString()).isEqualTo(id.substring(0, 12));
                        assertThat(ContainerId.ofPid((int) p.pid()).fullId()).isEqualTo(id);
                    }
                } finally {
                    Files.writeString(parent.resolve("cgroup.procs"), Long.toString(p.pid()));
                    Files.delete(cg);
                }
            }
        } finally {
            p.destroyForcibly().waitFor();
            Files.delete(parent);
        }
    }
}
