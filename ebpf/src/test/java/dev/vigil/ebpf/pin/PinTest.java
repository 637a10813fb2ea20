package dev.vigil.ebpf.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.map.MapType;
import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins outlive the object that made them: a pinned cgroup link keeps counting after its object closed. */
class PinTest {
    private static final int CONNECT4 = 3; // HIT_CGROUP_CONNECT4 in test_links.bpf.c
    private static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");

    private PinDirectory pins;
    private Path cgroup;

    @BeforeEach
    void setUp() throws Exception {
        KernelTests.assumeKernel();
        pins = new PinDirectory(Path.of("/sys/fs/bpf/vigil-test-" + UUID.randomUUID())).create();
        cgroup = CGROUP2.resolve("vigil-test-" + UUID.randomUUID());
        Files.createDirectory(cgroup);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pins != null) pins.removeAll();
        if (cgroup != null) Files.deleteIfExists(cgroup);
    }

    @Test
    void pinnedLinkAndMapOutliveTheirObjectUntilUnpinned() throws Exception {
        Path linkPin = pins.resolve("links/connect4");
        Path mapPin = pins.resolve("hits");
        Path progPin = pins.resolve("prog_connect4");
        try (BpfObject obj = BpfObject.openResource("/bpf/test_links.bpf.o")) {
            obj.setConstant("target_tgid", ProcessHandle.current().pid());
            obj.load();
            Link link = obj.program("count_connect4").attachCgroup(cgroup);
            link.pin(linkPin);
            obj.map("hits").pin(mapPin);
            obj.program("count_connect4").pin(progPin);
            assertThatThrownBy(() -> obj.map("hits").pin(mapPin)).isInstanceOf(BpfException.class)
                    .hasMessageContaining("a pin already exists");
        }
        // The object is closed: only the pins hold the program, its map and its attachment.
        connectInCgroup();
        try (PinnedMap hits = PinnedMap.open(mapPin); PinnedLink link = PinnedLink.open(linkPin)) {
            assertThat(hits.type()).isEqualTo(MapType.ARRAY);
            assertThat(hits.name()).isEqualTo("hits");
            assertThat(BpfMap.readU64(hits.lookup(BpfMap.u32(CONNECT4)).orElseThrow(), 0)).isEqualTo(1);
            assertThat(link.programId()).isPositive();
            assertThat(pins.pins()).containsExactly(mapPin, linkPin, progPin);
            assertThat(PinDirectory.kindAt(linkPin)).isEqualTo(Pins.Kind.LINK);
            assertThat(PinDirectory.kindAt(progPin)).isEqualTo(Pins.Kind.PROGRAM);
            assertThatThrownBy(() -> PinnedMap.open(linkPin)).hasMessageContaining("holds a link, not a map");

            // Unpinning the link detaches it (this process's fd is the only other holder: close it first);
            // the kernel frees it after an RCU grace period.
            PinnedLink.Attachment at = link.attachment();
            assertThat(at.linkType()).isEqualTo("cgroup");
            assertThat(at.cgroupId()).isEqualTo(java.nio.file.Files.getAttribute(cgroup, "unix:ino"));
            assertThat(PinnedLink.exists(at.linkId())).isTrue();
            assertThat(PinnedLink.attachedTo(cgroup, at.attachType(), at.programId())).isTrue();
            link.close();
            assertThat(Pins.unpin(linkPin)).isTrue();
            // the id goes before the deferred release detaches: wait for the cgroup to say it is detached
            assertThat(PinnedLink.awaitDetached(at, java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(PinnedLink.attachedTo(cgroup, at.attachType(), at.programId())).isFalse();
            connectInCgroup();
            assertThat(BpfMap.readU64(hits.lookup(BpfMap.u32(CONNECT4)).orElseThrow(), 0)).isEqualTo(1);
        }
        assertThat(pins.removeAll()).isEqualTo(2);
        assertThat(pins.exists()).isFalse();
    }

    @Test
    void pinsOutsideBpffsAreRefusedWithTheMountCommand() {
        assertThat(Pins.onBpffs(Path.of("/sys/fs/bpf"))).isTrue();
        assertThat(Pins.onBpffs(Path.of("/tmp/not-bpffs/x"))).isFalse();
        assertThatThrownBy(() -> new PinDirectory(Path.of("/tmp/vigil-not-bpffs-" + UUID.randomUUID())).create())
                .isInstanceOf(BpfException.class).hasMessageContaining("mount -t bpf bpf /sys/fs/bpf");
        assertThatThrownBy(() -> PinnedMap.open(pins.resolve("absent"))).hasMessageContaining("no pin at");
    }

    private void connectInCgroup() throws Exception {
        String connect = "exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null; true";
        Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + "; exec bash -c '" + connect + "'")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
}
