package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.containers.DockerForCliTests;
import dev.vigil.ebpf.testing.KernelTests;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** --container ID|NAME against a real Docker container: its processes are traced, the host's are not. */
class ToolsContainerCliTest {
    @Test
    void opensnoopByContainerNameAndIdPrefixSeesOnlyTheContainer() throws Exception {
        KernelTests.assumeKernel();
        try (DockerForCliTests docker = DockerForCliTests.start()) {
            String name = "vigil-tools-" + UUID.randomUUID().toString().substring(0, 8);
            String id = docker.docker("run", "-d", "--network", "none", "--name", name, DockerForCliTests.IMAGE,
                    "sh", "-c", "while true; do cat /etc/hostname > /dev/null; sleep 0.1; done");
            Map<String, String> env = Map.of("DOCKER_HOST", "unix://" + docker.socket());
            for (String ref : List.of(name, id.substring(0, 12))) {
                CliProcess cli = CliProcess.start(env, CliProcess.javaCommand(System.getProperty("java.class.path"),
                        "opensnoop", "--json", "--container", ref, "-n", "cat")).awaitLinks(2);
                Process host = new ProcessBuilder("cat", "/etc/hostname").start(); // the host's cat: excluded
                host.waitFor(10, TimeUnit.SECONDS);
                String out = cli.awaitOut("/etc/hostname");
                cli.signal("INT");
                assertThat(cli.waitFor(20)).as(cli.err()).isZero();
                List<JsonNode> events = cli.out().lines().map(ToolsCliTest::json).toList();
                assertThat(events).as("--container " + ref + ": " + out)
                        .anyMatch(e -> e.path("path").asText().equals("/etc/hostname") && e.path("comm").asText().equals("cat"));
                assertThat(events).noneMatch(e -> e.path("pid").asLong() == host.pid());
                assertThat(events).allMatch(e -> e.path("pid").asLong() != ProcessHandle.current().pid());
            }
            CliProcess missing = CliProcess.start(env, CliProcess.javaCommand(System.getProperty("java.class.path"),
                    "opensnoop", "--container", "no-such-container-" + name));
            assertThat(missing.waitFor(30)).isEqualTo(2);
            assertThat(missing.err().strip()).isEqualTo("vigil opensnoop: --container no-such-container-" + name
                    + ": no such container (asked Docker at " + docker.socket() + ")");
        }
    }
}
