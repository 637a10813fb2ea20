package dev.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine feeds each kind's enforcer the whole set, creates its pin folder, and unloads on request. */
class PolicyEngineTest {
    private PinStore store;

    @BeforeEach
    void setUp() {
        KernelTests.assumeKernel(); // pin folders need bpffs (root)
        store = new PinStore(Path.of("/sys/fs/bpf/vigil-test-" + UUID.randomUUID()));
        TestKind.APPLIED.clear();
        TestKind.ADOPTED.clear();
    }

    @AfterEach
    void tearDown() {
        if (store != null) store.remove();
    }

    @Test
    void appliesReloadsAndUnloads() {
        PolicyLoader loader = PolicyLoader.installed();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PolicyEngine engine = new PolicyEngine(loader.kinds(), store, PolicyOptions.defaults(), e -> {}, new PrintStream(log, true));
        engine.apply(loader.loadText("a.yaml", "apiVersion: vigil.dev/test\nkind: TestPolicy\nmetadata: {name: a}\nspec: {level: 1}\n"));
        assertThat(Files.isDirectory(store.root().resolve("test"))).isTrue();
        assertThat(engine.show().get("TestPolicy")).hasSize(1);
        // a reload without any policy of the kind empties it
        engine.apply(PolicySet.empty());
        assertThat(TestKind.APPLIED).extracting(List::size).containsExactly(1, 0);
        assertThat(TestKind.ADOPTED).containsExactly(false);
        engine.close(true);
        assertThat(Files.exists(store.root())).isFalse();
        assertThat(log.toString()).contains("unloaded (0 pins removed");
    }

    @Test
    void pinPathsComeFromConfigThenEnvironmentThenDefault() {
        assertThat(PinStore.resolve("/sys/fs/bpf/x").root()).isEqualTo(Path.of("/sys/fs/bpf/x"));
        String env = System.getenv(PinStore.ENV);
        assertThat(PinStore.resolve("").root()).isEqualTo(env == null || env.isBlank() ? PinStore.DEFAULT_ROOT : Path.of(env));
    }
}
