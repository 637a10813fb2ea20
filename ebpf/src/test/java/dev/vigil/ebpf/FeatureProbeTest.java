package dev.vigil.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.feature.FeatureReport;
import dev.vigil.ebpf.feature.FeatureUnsupportedException;
import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FeatureProbeTest {

    @Test
    void probesEveryFeatureAndAgreesWithTheKernelsOwnSigns() {
        KernelTests.assumeKernel();
        FeatureReport report = FeatureProbe.probe();
        assertThat(report.results()).containsOnlyKeys(Feature.values());
        // The floor Vigil relies on everywhere.
        assertThat(report.supports(Feature.TRACEPOINT)).isTrue();
        assertThat(report.supports(Feature.RAW_TRACEPOINT)).isTrue();
        assertThat(report.supports(Feature.RINGBUF)).isTrue();
        // Kprobes need the kprobe PMU: the probe must agree with what the kernel exposes.
        boolean kprobePmu = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe"));
        assertThat(report.supports(Feature.KPROBE)).isEqualTo(kprobePmu);
        System.out.print(report.format());
    }

    @Test
    void requireThrowsTheTypedExceptionForAMissingFeature() {
        KernelTests.assumeKernel();
        FeatureReport report = FeatureProbe.probe();
        for (Feature f : Feature.values()) {
            if (!report.supports(f)) {
                assertThatThrownBy(() -> report.require(f)).isInstanceOf(FeatureUnsupportedException.class)
                        .hasMessageContaining("does not allow");
                return;
            }
        }
        report.require(Feature.TRACEPOINT); // everything supported: require must not throw
    }
}
