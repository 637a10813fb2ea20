package dev.vigil.tools.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.tools.ToolRun;
import dev.vigil.tools.capable.Capable;
import dev.vigil.tools.oomkill.OomKill;
import dev.vigil.ebpf.tool.ToolFilters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kprobe variants of capable and oomkill, in the second kernel (Debian's 6.1 under qemu, which has kprobes):
 * the feature probe must pick libbpf-tools' hooks there, and they must report a denied CAP_SYS_NICE check of an
 * unprivileged child (with AUDIT and INSETID, which only cap_opt gives) and an OOM kill in a 32 MiB memory cgroup
 * (with the OOM control's total pages). VIGIL_VM_TESTS=1 only; the host's tracepoint variants have their own tests.
 */
class SecondKernelToolsTest {
    private static final String MARK = "vigil-vm-tools ";
    private static final int CAP_SYS_NICE = 23;

    @Test
    void capableAndOomkillUseTheirKprobesWhereTheKernelHasThem() throws Exception {
        SecondKernel.assumeEnabled();
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(), 900);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("kernel 6.1."));
        assertThat(lines).contains("capable variant kprobe", "capable deny audit=1 insetid=0", "oomkill variant kprobe",
                "oomkill victim tail trigger tail");
        assertThat(lines).anyMatch(l -> l.matches("oomkill pages [1-9][0-9]*"));
    }

    /** Runs in the guest. */
    public static final class GuestMain {
        private static void say(String s) {
            System.out.println(MARK + s);
            System.out.flush();
        }

        public static void main(String[] args) throws Exception {
            say("kernel " + FeatureProbe.kernelRelease());
            try (var cap = new ToolRun<>(Capable.start(Capable.Options.defaults()), (d, o, l) -> Capable.Event.decode(d, o))) {
                say("capable variant " + cap.tool().variant());
                Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "nice", "-n", "-5", "true")
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(60, TimeUnit.SECONDS);
                var e = cap.awaitOrFail(ev -> ev.pid() == p.pid() && ev.cap() == CAP_SYS_NICE, "the CAP_SYS_NICE check");
                say("capable " + e.verdict() + " audit=" + e.audit() + " insetid=" + e.insetid());
            }
            Path root = Path.of("/sys/fs/cgroup");
            Files.writeString(root.resolve("cgroup.subtree_control"), "+memory");
            Path cg = Files.createDirectory(root.resolve("vigil-vm-oom"));
            try (var oom = new ToolRun<>(OomKill.start(ToolFilters.NONE), (d, o, l) -> OomKill.Event.decode(d, o))) {
                say("oomkill variant " + oom.tool().variant());
                Files.writeString(cg.resolve("memory.max"), "33554432");
                if (Files.exists(cg.resolve("memory.swap.max"))) {
                    Files.writeString(cg.resolve("memory.swap.max"), "0");
                }
                Process p = new ProcessBuilder("sh", "-c", "echo $$ > '" + cg.resolve("cgroup.procs") + "' && exec tail /dev/zero")
                        .redirectErrorStream(true).start();
                p.waitFor(300, TimeUnit.SECONDS);
                var e = oom.awaitOrFail(ev -> ev.victimPid() == p.pid(), "the OOM kill");
                say("oomkill victim " + e.victimComm() + " trigger " + e.triggerComm());
                say("oomkill pages " + e.pages());
            } finally {
                Files.deleteIfExists(cg);
            }
        }
    }
}
