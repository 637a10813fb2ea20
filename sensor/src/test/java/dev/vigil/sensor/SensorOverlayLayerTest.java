package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fd.is_upper_layer / fd.is_lower_layer from the kernel's inode: an overlayfs this test mounts (as a container's
 * root is), a file only in the lower layer read through it, a file created through it (so in the upper layer), and
 * a file off overlayfs; each open's fd says its layer, and a held copy keeps it.
 */
class SensorOverlayLayerTest {
    @TempDir Path dir;

    @Test
    void anOpenSaysWhichOverlayLayerItsFileIsIn() throws Exception {
        KernelTests.assumeKernel();
        Path lower = Files.createDirectories(dir.resolve("lower")), upper = Files.createDirectories(dir.resolve("upper"));
        Path work = Files.createDirectories(dir.resolve("work")), merged = Files.createDirectories(dir.resolve("merged"));
        Files.writeString(lower.resolve("image.txt"), "from the image");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "off overlayfs");
        sh("mount -t overlay overlay -o lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work + " " + merged);
        try (SensorHarness h = new SensorHarness(Selection.of(EventType.OPENAT, EventType.OPEN, EventType.PROCEXIT))) {
            Process p = new ProcessBuilder("/bin/sh", "-c", "cat " + merged.resolve("image.txt") + " " + plain + " >/dev/null; echo x > "
                    + merged.resolve("written.txt")).start();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            long pid = p.pid();
            h.await(e -> e.type() == EventType.PROCEXIT && e.process() != null && e.process().pid() == pid);
            Event img = open(h, merged.resolve("image.txt"));
            assertThat(img.fd().lowerLayer()).isTrue();
            assertThat(img.fd().upperLayer()).isFalse();
            Event written = open(h, merged.resolve("written.txt"));
            assertThat(written.fd().upperLayer()).isTrue();
            assertThat(written.fd().lowerLayer()).isFalse();
            Event off = open(h, plain);
            assertThat(off.fd().upperLayer() || off.fd().lowerLayer()).isFalse();
        } finally {
            sh("umount " + merged);
        }
    }

    private static Event open(SensorHarness h, Path file) {
        List<Event> l = h.events.stream().filter(e -> (e.type() == EventType.OPENAT || e.type() == EventType.OPEN) && e.rawRes() >= 0
                && e.fd() != null && file.toString().contentEquals(e.fd().name())).toList();
        assertThat(l).as("open of " + file).isNotEmpty();
        return l.getFirst();
    }

    private static void sh(String cmd) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(cmd + ": " + out).isZero();
    }
}
