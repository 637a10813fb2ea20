package dev.vigil.sensor;

import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Test classes that use the shared all-events sensor ({@link SensorHarness#shared()}), and a folder of their own. */
abstract class SharedSensorTest {
    static SensorHarness h;
    @TempDir static Path dir;

    @BeforeAll
    static void shareTheSensor() throws Exception {
        KernelTests.assumeKernel();
        SensorHarness.helper();
        h = SensorHarness.shared();
    }

    @AfterAll
    static void releaseTheSensor() {
        SensorHarness.releaseShared();
    }
}
