package dev.vigil.ebpf.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.feature.FeatureReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Boots the second kernel (Debian 12's 6.1 under qemu, see scripts/vm/) and runs the feature probe there:
 * the hooks this host refuses (kprobes, fentry, BPF LSM) must be seen as supported. Slow (a software-
 * emulated guest, a minute or so) and needs root and qemu, so it runs only with VIGIL_VM_TESTS=1.
 */
class SecondKernelFeatureTest {
    private static final String MARK = "vigil-vm-feature ";
    private static final long SETUP_TIMEOUT_S = 1_200; // first run: apt-get install and the kernel download
    private static final long GUEST_TIMEOUT_S = 600;   // TCG is slow, and slower on a busy host

    @Test
    void theSecondKernelAllowsKprobesFentryAndLsm() throws Exception {
        Assumptions.assumeTrue("1".equals(System.getenv("VIGIL_VM_TESTS")),
                "second-kernel (qemu) tests are off: run with VIGIL_VM_TESTS=1, as root "
                        + "(scripts/vm/setup-kernel.sh installs qemu and the guest kernel on first use)");
        Path root = projectRoot();
        Path vm = root.resolve("scripts/vm");

        Result setup = run(List.of(vm.resolve("setup-kernel.sh").toString()), root, Map.of(), SETUP_TIMEOUT_S);
        assertThat(setup.exit()).as("setup-kernel.sh failed:%n%s", setup.output()).isZero();

        // The guest sees the host's / read-only: this JVM and this class path work there unchanged.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-in-vm.sh").toString(),
                java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), GuestMain.class.getName()));
        Result guest = run(cmd, root, Map.of("VIGIL_VM_TIMEOUT", Long.toString(GUEST_TIMEOUT_S),
                "VIGIL_VM_TIMING", "1"), GUEST_TIMEOUT_S + 60);
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

    private record Result(int exit, String output) {}

    private static Result run(List<String> cmd, Path dir, Map<String, String> env, long timeoutS)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("vigil-vm-test", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutS + " s: " + cmd + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Path projectRoot() {
        String env = System.getenv("VIGIL_PROJECT_ROOT");
        Path root = env != null && !env.isBlank() ? Path.of(env)
                : Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("scripts/vm/run-in-vm.sh")).as("project root %s", root).exists();
        return root.toAbsolutePath();
    }
}
