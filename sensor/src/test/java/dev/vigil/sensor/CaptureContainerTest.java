package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.containers.ContainerResolver;
import dev.vigil.containers.ContainerStats;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Container;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventType;
import dev.vigil.events.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture keeps the container metadata its events had: a real process in a real cgroup named like a Docker
 * container, metadata from a resolver standing in for the runtime, written, read back, compared field by field.
 */
class CaptureContainerTest {
    static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @TempDir Path dir;

    /** Answers for the one test container as the runtime would; identity only for everything else. */
    static final class OneContainer implements ContainerResolver {
        final ContainerResolver ids = ContainerResolver.identityOnly();
        final Container full = Container.builder().id(ID.substring(0, 12)).fullId(ID).name("web-1")
                .image("registry.local/team/web:2.1").imageDigest("sha256:feed").imageId("sha256:beef")
                .runtime("docker").privileged(true).startTs(1_700_000_000_000_000_000L)
                .mount(new Mount("/srv/data", "/data", "z", false, "rprivate"))
                .k8s("shop", "web-1-abc").label("team", "payments").build();

        @Override public ContainerView resolve(long cgroupId, CharSequence path) {
            ContainerView v = ids.resolve(cgroupId, path);
            return ID.contentEquals(v.fullId()) ? full : v; // other containers on this machine: ids only
        }
        @Override public ContainerStats stats() { return ids.stats(); }
        @Override public void close() { ids.close(); }
    }

    @Test
    void containerFieldsSurviveTheRoundTrip() throws Exception {
        KernelTests.assumeKernel();
        Path v2 = CgroupPaths.findV2Mount();
        assertThat(v2).as("cgroup v2 mount").isNotNull();
        Path cg = Files.createDirectories(v2.resolve("docker-" + ID + ".scope"));
        Path file = dir.resolve("c.vcap");
        long records;
        try {
            OneContainer resolver = new OneContainer();
            try (Sensor s = Sensor.start(Selection.of(EventType.OPENAT, EventType.EXECVE), Sensor.Options.defaults().withContainers(resolver))) {
                CaptureWriter w = CaptureWriter.create(file, CaptureWriter.Meta.now(s.selection()), s.processTable());
                Thread t = Thread.ofPlatform().start(() -> s.run(w::write));
                // the shell moves itself into the container's cgroup, then becomes cat
                Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + cg.resolve("cgroup.procs")
                        + " && exec cat /etc/hostname").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(300);
                s.stop();
                t.join(5000);
                w.close();
                records = w.containerRecordsWritten();
            }
            List<CapturedEvent> inContainer = new ArrayList<>();
            List<CapturedEvent> onHost = new ArrayList<>();
            try (CaptureReader r = CaptureReader.open(file)) {
                r.forEach(e -> (e.container() != null && !e.container().isHost() ? inContainer : onHost).add(e));
            }
            assertThat(inContainer).as("events of cat in the container")
                    .anyMatch(e -> e.type() == EventType.EXECVE)
                    .anyMatch(e -> e.type() == EventType.OPENAT && e.fd() != null && "/etc/hostname".contentEquals(e.fd().name()));
            assertThat(onHost).isNotEmpty(); // everything else stays host (no container record)
            // a record per container, not per event (other containers running here may add theirs)
            assertThat(records).isPositive().isLessThan(inContainer.size());
            Container want = new OneContainer().full;
            for (CapturedEvent e : inContainer) {
                ContainerView c = e.container();
                assertThat(c.id().toString()).isEqualTo(want.id().toString());
                assertThat(c.fullId().toString()).isEqualTo(ID);
                assertThat(c.name().toString()).isEqualTo("web-1");
                assertThat(c.image().toString()).isEqualTo("registry.local/team/web:2.1");
                assertThat(c.imageRepository().toString()).isEqualTo("registry.local/team/web");
                assertThat(c.imageTag().toString()).isEqualTo("2.1");
                assertThat(c.imageDigest().toString()).isEqualTo("sha256:feed");
                assertThat(c.imageId().toString()).isEqualTo("sha256:beef");
                assertThat(c.runtime().toString()).isEqualTo("docker");
                assertThat(c.privileged()).isTrue();
                assertThat(c.startTs()).isEqualTo(want.startTs());
                assertThat(c.mountCount()).isEqualTo(1);
                assertThat(c.mount(0)).isEqualTo(want.mount(0));
                assertThat(c.labels()).isEqualTo(want.labels());
                assertThat(c.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("web-1-abc");
            }
        } finally {
            Files.delete(cg); // empty again: cat has exited
        }
    }
}
