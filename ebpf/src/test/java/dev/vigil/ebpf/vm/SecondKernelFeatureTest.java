package dev.vigil.ebpf.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.feature.FeatureReport;
import dev.vigil.ebpf.testing.SecondKernel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Boots the second kernel (Debian 12's 6.1 under qemu, see scripts/vm/) and runs the feature probe there:
 * the hooks this host refuses (kprobes, fentry, BPF LSM) must be seen as supported. Slow (a software-
 * emulated guest, a minute or so) and needs root and qemu, so it runs only with VIGIL_VM_TESTS=1.
 */
class SecondKernelFeatureTest {
    private static final String MARK = "vigil-vm-feature ";
    private static final long GUEST_TIMEOUT_S = 600;   // TCG is slow, and slower on a busy host

    @Test
    void theSecondKernelAllowsKprobesFentryAndLsm() throws Exception {
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(), GUEST_TIMEOUT_S);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("run-in-vm.sh failed:%n%s", guest.output()).isZero();

        Map<Feature, Boolean> seen = new EnumMap<>(Feature.class);
        String guestKernel = null;
        for (String line : guest.output().lines().toList()) {
            if (line.startsWith(MARK + "kernel ")) {
                guestKernel = line.substring((MARK + "kernel ").length()).strip();
            } else if (line.startsWith(MARK)) {
                String[] kv = line.substring(MARK.length()).strip().split("=", 2);
                seen.put(Feature.valueOf(kv[0]), Boolean.parseBoolean(kv[1]));
            }
        }
        assertThat(guestKernel).as("the guest's kernel release").isNotNull().startsWith("6.1.")
                .isNotEqualTo(FeatureProbe.kernelRelease());
        assertThat(seen).as("features probed in the guest").containsOnlyKeys(Feature.values());
        assertThat(seen).as("features probed in the guest (%s)", guestKernel)
                .containsEntry(Feature.KPROBE, true)
                .containsEntry(Feature.FENTRY, true)
                .containsEntry(Feature.LSM, true)
                .containsEntry(Feature.TRACEPOINT, true)
                .containsEntry(Feature.RINGBUF, true);
    }

    /** Runs in the guest: probes and prints one marked line a feature, then the usual table. */
    public static final class GuestMain {
        public static void main(String[] args) {
            FeatureReport report = FeatureProbe.probe();
            StringBuilder sb = new StringBuilder(MARK).append("kernel ").append(report.kernelRelease()).append('\n');
            report.results().forEach((f, r) -> sb.append(MARK).append(f.name()).append('=').append(r.supported()).append('\n'));
            System.out.print(sb.append(report.format()));
        }
    }
}
