package dev.vigil.tools.block;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.ToolFilters;
import dev.vigil.tools.testing.Collector;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * biosnoop on 200 O_DIRECT 4 KiB writes by dd to a loop device the test creates: exactly 200 write lines for
 * that disk (-d), each naming dd's pid and comm, 4096 bytes, at consecutive sectors, with a latency.
 */
class BioSnoopTest {
    private static final int WRITES = 200;

    @TempDir
    Path dir;

    @Test
    void everyDirectWriteIsOneLineWithItsIssuerSectorAndSize() throws Exception {
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
            var tool = BioSnoop.start(new BioSnoop.Options(ToolFilters.NONE, Disks.number(name), true));
            List<BioSnoop.Event> events;
            long ddPid;
            Collector<BioSnoop.Event> c = new Collector<>(tool, BioSnoop.Event::decode);
            try (c) {
                Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + loop, "bs=4096", "count=" + WRITES, "oflag=direct",
                        "status=none").redirectErrorStream(true).start();
                ddPid = dd.pid();
                assertThat(dd.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(dd.exitValue()).isZero();
                c.await(e -> e.sector() == (WRITES - 1) * 8L); // the last write completed
            }
            events = c.events(); // all of them: closing drained the ring
            assertThat(tool.variant()).isIn("tp_btf", "raw_tp");
            List<BioSnoop.Event> writes = events.stream().filter(e -> e.rwbs().contains("W")).toList();
            assertThat(writes).hasSize(WRITES);
            assertThat(writes).allSatisfy(e -> {
                assertThat(e.pid()).isEqualTo(ddPid);
                assertThat(e.comm()).isEqualTo("dd");
                assertThat(e.bytes()).isEqualTo(4096);
                assertThat(e.latencyNs()).isPositive();
                assertThat(Disks.name(e.dev())).isEqualTo(name);
            });
            assertThat(writes).extracting(BioSnoop.Event::sector).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.range(0, WRITES).map(i -> i * 8).boxed().toList());
        } finally {
            new ProcessBuilder("losetup", "-d", loop).start().waitFor();
        }
    }
}
