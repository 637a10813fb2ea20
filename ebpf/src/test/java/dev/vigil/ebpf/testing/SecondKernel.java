package dev.vigil.ebpf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a Java main class of the test class path in the second kernel (Debian's 6.1 under qemu,
 * scripts/vm/run-in-vm.sh): the guest sees the host's / read-only, so this JVM and class path work there
 * unchanged. Gate: VIGIL_VM_TESTS=1 (CI sets it); otherwise the test is skipped.
 */
public final class SecondKernel {
    private SecondKernel() {}

    public record Result(int exit, String output) {}

    private static final long SETUP_TIMEOUT_S = 1200; // the first run installs qemu and downloads the kernel

    /** Skips the test unless VIGIL_VM_TESTS=1. */
    public static void assumeEnabled() {
        Assumptions.assumeTrue("1".equals(System.getenv("VIGIL_VM_TESTS")),
                "second-kernel (qemu) tests are off: run with VIGIL_VM_TESTS=1, as root "
                        + "(scripts/vm/setup-kernel.sh installs qemu and the guest kernel on first use)");
    }

    /** The project root: VIGIL_PROJECT_ROOT, else the parent of the module the tests run in. */
    public static Path projectRoot() {
        String env = System.getenv("VIGIL_PROJECT_ROOT");
        Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("scripts/vm/run-in-vm.sh")).as("project root %s", root).exists();
        return root.toAbsolutePath();
    }

    /**
     * Sets the guest up (quick when in place), then runs {@code mainClass args} there with this JVM (C1 only:
     * TCG emulation makes C2 compiles cost more than they save) and returns its exit code and output.
     */
    public static Result runJava(String mainClass, List<String> args, long guestTimeoutS) throws IOException, InterruptedException {
        assumeEnabled();
        Path root = projectRoot();
        Path vm = root.resolve("scripts/vm");
        Result setup = run(List.of(vm.resolve("setup-kernel.sh").toString()), root, Map.of(), SETUP_TIMEOUT_S);
        assertThat(setup.exit()).as("setup-kernel.sh failed:%n%s", setup.output()).isZero();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-in-vm.sh").toString(), java,
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return run(cmd, root, Map.of("VIGIL_VM_TIMEOUT", Long.toString(guestTimeoutS), "VIGIL_VM_TIMING", "1"),
                guestTimeoutS + 60);
    }

    /** Runs a host command with output to a file (no pipe to fill), killed with its descendants after timeoutS. */
    public static Result run(List<String> cmd, Path dir, Map<String, String> env, long timeoutS)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("vigil-vm", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
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
}
