package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy commands as a user runs them. */
class PolicyCliTest {
    @Test
    void validateNamesThePlaceAndExitsOne(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: example.com/v1\nkind: Unknown\n");
        CliProcess cli = CliProcess.start("policy", "validate", bad.toString());
        assertThat(cli.waitFor(60)).as(cli.err()).isEqualTo(1);
        assertThat(cli.out()).contains(bad + ":2:7: unsupported policy kind 'example.com/v1 Unknown'");
        assertThat(cli.out().strip()).endsWith("invalid: 1 problem");
        assertThat(cli.err()).isEmpty();
    }

    @Test
    void showAndRemoveWithNothingPinned() throws Exception {
        KernelTests.assumeKernel();
        String root = "policy.pin_root=/sys/fs/bpf/vigil-test-" + UUID.randomUUID();
        CliProcess show = CliProcess.start("policy", "show", "-o", root, "-o", "webserver.listen_port=1");
        assertThat(show.waitFor(60)).as(show.err()).isZero();
        assertThat(show.out()).contains("no agent is running and nothing is pinned under /sys/fs/bpf/vigil-test-");
        CliProcess remove = CliProcess.start("policy", "remove", "-o", root, "-o", "webserver.listen_port=1");
        assertThat(remove.waitFor(60)).as(remove.err()).isZero();
        assertThat(remove.out()).contains("nothing pinned under /sys/fs/bpf/vigil-test-");
    }
}
