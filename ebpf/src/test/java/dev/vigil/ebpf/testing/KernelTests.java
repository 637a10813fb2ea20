package dev.vigil.ebpf.testing;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate for tests that drive the real kernel. Where the kernel cannot be used (not root, no
 * libbpf, no BTF) the test is skipped, unless VIGIL_REQUIRE_KERNEL=1 (CI), where that is a failure.
 * A feature this kernel lacks is skipped only through the feature probe's typed answer.
 */
public final class KernelTests {
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private KernelTests() {}

    public static boolean required() {
        return "1".equals(System.getenv("VIGIL_REQUIRE_KERNEL"));
    }

    public static void assumeKernel() {
        try {
            Preflight.check(true);
        } catch (BpfException e) {
            if (required()) {
                Assertions.fail("VIGIL_REQUIRE_KERNEL=1 but the kernel cannot be used: " + e.getMessage());
            }
            Assumptions.abort("kernel unavailable: " + e.getMessage());
        }
    }

    /** Skips (even in CI) when the probe says this kernel lacks the feature. */
    public static void assumeFeature(Feature feature) {
        assumeKernel();
        var report = FeatureProbe.probe();
        Assumptions.assumeTrue(report.supports(feature),
                () -> "not supported here: " + feature + " (" + report.results().get(feature).detail() + ")");
    }

    /** A real getppid(2) from this process: the trigger for the test programs. */
    public static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
