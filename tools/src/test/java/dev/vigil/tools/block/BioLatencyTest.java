package dev.vigil.tools.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.tools.testing.Subjects;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** biolatency on O_DIRECT writes to a loop device the test creates: every write is one request, seen once. */
class BioLatencyTest {
    @TempDir
    Path dir;

    @Test
    void directWritesToALoopDeviceAreCountedForThatDiskOnly() throws Exception {
        KernelTests.assumeKernel();
        Path backing = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(8 << 20);
        }
        Process losetup = new ProcessBuilder("losetup", "--find", "--show", backing.toString()).start();
        String loop = new String(losetup.getInputStream().readAllBytes()).strip();
        assertThat(losetup.waitFor()).isZero();
        String name = Path.of(loop).getFileName().toString();
        try {
            var options = new BioLatency.Options(Disks.number(name), true, true, false, false);
            List<BioLatency.Entry> entries;
            try (var tool = BioLatency.start(options)) {
                Subjects.run("dd", "if=/dev/zero", "of=" + loop, "bs=4096", "count=300", "oflag=direct", "status=none");
                entries = BioLatency.drain(tool);
            }
            assertThat(entries).isNotEmpty().allMatch(e -> Disks.name(e.disk()).equals(name)); // -d, -D
            long writes = entries.stream().filter(e -> BioLatency.flagNames(e.flags()).endsWith("Write"))
                    .mapToLong(e -> e.histogram().total()).sum();
            assertThat(writes).isEqualTo(300);
        } finally {
            new ProcessBuilder("losetup", "-d", loop).start().waitFor();
        }
        assertThatThrownBy(() -> Disks.number("no-such-disk")).hasMessage("-d no-such-disk: no such disk (see /sys/block)");
        assertThat(Files.exists(backing)).isTrue();
    }
}
