package dev.vigil.tools.mountsnoop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.tools.ToolRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A tmpfs mount and umount in a private mount namespace, seen with its arguments and namespace. */
class MountSnoopTest {
    @Test
    void aTmpfsMountInAPrivateNamespaceAndItsUmount() throws Exception {
        KernelTests.assumeKernel();
        String source = "vigil-" + UUID.randomUUID().toString().substring(0, 8);
        long hostNs = ((Number) Files.getAttribute(Path.of("/proc/self/ns/mnt"), "unix:ino")).longValue();
        try (var all = new ToolRun<>(MountSnoop.start(MountSnoop.Options.defaults()), (d, o, l) -> MountSnoop.Event.decode(d, o))) {
            Process p = new ProcessBuilder("unshare", "-m", "sh", "-c",
                    "mount -t tmpfs -o nosuid,size=1m " + source + " /mnt && umount /mnt").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            var m = all.awaitOrFail(e -> e.call() == 0 && e.src().equals(source), "the tmpfs mount");
            assertThat(m.dest()).isEqualTo("/mnt");
            assertThat(m.fs()).isEqualTo("tmpfs");
            assertThat(m.ret()).isZero();
            assertThat(m.flags() & 2).as("MS_NOSUID").isEqualTo(2);
            assertThat(m.data()).contains("size=1m");
            assertThat(m.mntNs()).isNotEqualTo(hostNs);
            assertThat(m.callText()).startsWith("mount(\"" + source + "\", \"/mnt\", \"tmpfs\", MS_NOSUID").endsWith(") = 0");
            var u = all.awaitOrFail(e -> e.call() == 1 && e.pid() != m.pid() && e.dest().equals("/mnt") && e.mntNs() == m.mntNs(), "the umount");
            assertThat(u.callText()).isEqualTo("umount(\"/mnt\", 0x0) = 0");
        }
    }
}
