package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.containers.DockerForAgentTests;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.TestBinaries;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An EnforcementPolicy selecting containers by label, with a real Docker Engine: the marker binary (bind-mounted at
 * /t in both containers) is killed before it runs in the labelled container and runs in the other one; and selection
 * by container name and by image.
 */
class AgentEnforceContainerTest {
    @TempDir
    Path dir;

    @Test
    void aDeniedExecInALabelledContainerLeavesNoMarkerAndRunsInAnother() throws Exception {
        KernelTests.assumeKernel();
        String mark = "enf" + UUID.randomUUID().toString().substring(0, 8);
        TestBinaries.marker(dir.resolve("t"), "marker");
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: labelled}
                spec:
                  containerSelector:
                    matchLabels: {vigil-test: %s}
                  rules:
                  - exec: {matchBinaries: [{operator: In, values: ["/t/marker"]}]}
                    action: Deny
                    fallback: Sigkill
                  - name: written-at-run-time
                    exec: {fromUpperLayer: true}
                    action: Deny
                    fallback: Sigkill
                """.formatted(mark));
        Path alerts = dir.resolve("alerts.json");
        try (DockerForAgentTests docker = DockerForAgentTests.start()) {
            String selected = mark + "-sel", other = mark + "-other";
            for (String name : List.of(selected, other)) {
                List<String> a = new ArrayList<>(List.of("run", "-d", "--network", "none", "--name", name, "-v", dir.resolve("t") + ":/t:ro"));
                if (name.equals(selected)) a.addAll(List.of("--label", "vigil-test=" + mark));
                a.addAll(List.of(DockerForAgentTests.IMAGE, "sleep", "600"));
                docker.docker(a.toArray(String[]::new));
            }
            AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("policy_files=[" + policy + "]")
                    .override("policy.pin_root=/sys/fs/bpf/vigil-test-" + mark)
                    .override("policy_unload_on_exit=true")
                    .override("container_engines.docker.socket=" + docker.socket()).build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                // the container is selected once the scan has seen it and the engine described it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int status;
                while ((status = exec(docker, selected, "/tmp/m")) != 137) {
                    assertThat(System.nanoTime()).as("never killed in the labelled container (last status %d)", status).isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(exec(docker, selected, "/tmp/m2")).isEqualTo(137);
                assertThat(exec(docker, selected, "/bin/true")).as("other binaries run").isZero();
                assertThat(exec(docker, other, "/tmp/m")).as("the other container is not selected").isZero();
                assertThat(docker.docker("exec", other, "cat", "/tmp/m")).isEqualTo("ran");
                // an executable written into the container at run time (its overlay upper layer) is denied; the image's run
                for (String c : List.of(selected, other)) docker.docker("exec", c, "/bin/busybox", "cp", "/t/marker", "/newbin");
                assertThat(ProcessRun.status(cli(docker, "exec", selected, "/newbin", "/tmp/u1"))).isEqualTo(137);
                assertThat(ProcessRun.status(cli(docker, "exec", other, "/newbin", "/tmp/u1"))).isZero();
                assertThat(ProcessRun.status(cli(docker, "exec", selected, "/bin/true"))).as("the image's binaries run").isZero();
                assertThat(ProcessRun.status(dir.resolve("t/marker").toString(), dir.resolve("host-m").toString())).isZero();
                String line = AlertFile.awaitLine(alerts, "\"policy_name\":\"labelled\"");
                assertThat(line).as("the decision names the container").contains("\"name\":\"" + selected + "\"");
            }
            assertThat(docker.docker("exec", selected, "sh", "-c", "ls /tmp/m2 /tmp/u1 2>/dev/null || echo absent")).isEqualTo("absent");
        }
    }

    /**
     * containerSelector by name and by image (an image prefix pattern), two policies: the named container and the one
     * run from the selected image are enforced, a third (the other image, another name) is not.
     */
    @Test
    void containersSelectedByNameAndByImage() throws Exception {
        KernelTests.assumeKernel();
        String mark = "enf" + UUID.randomUUID().toString().substring(0, 8);
        TestBinaries.marker(dir.resolve("t"), "marker");
        String named = mark + "-named", imaged = mark + "-imaged", neither = mark + "-neither", image = "vigil-enf-img-" + mark + ":t1";
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: by-name}
                spec:
                  containerSelector: {names: ["%s"]}
                  rules:
                  - exec: {matchBinaries: [{operator: In, values: ["/t/marker"]}]}
                    action: Deny
                    fallback: Sigkill
                ---
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: by-image}
                spec:
                  containerSelector: {images: ["vigil-enf-img-%s*"]}
                  rules:
                  - exec: {matchBinaries: [{operator: In, values: ["/t/marker"]}]}
                    action: Deny
                    fallback: Sigkill
                """.formatted(named, mark));
        Path alerts = dir.resolve("alerts.json");
        try (DockerForAgentTests docker = DockerForAgentTests.start()) {
            docker.docker("tag", DockerForAgentTests.IMAGE, image);
            for (String[] c : new String[][] {{named, DockerForAgentTests.IMAGE}, {imaged, image}, {neither, DockerForAgentTests.IMAGE}}) {
                docker.docker("run", "-d", "--network", "none", "--name", c[0], "-v", dir.resolve("t") + ":/t:ro", c[1], "sleep", "600");
            }
            AgentConfig cfg = AlertFile.agentWritingTo(alerts).override("policy_files=[" + policy + "]")
                    .override("policy.pin_root=/sys/fs/bpf/vigil-test-" + mark)
                    .override("policy_unload_on_exit=true")
                    .override("container_engines.docker.socket=" + docker.socket()).build();
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                for (String c : List.of(named, imaged)) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    int status;
                    while ((status = exec(docker, c, "/tmp/m")) != 137) {
                        assertThat(System.nanoTime()).as("never killed in %s (last status %d)", c, status).isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
                assertThat(exec(docker, neither, "/tmp/m")).as("neither the name nor the image selected").isZero();
                assertThat(docker.docker("exec", neither, "cat", "/tmp/m")).isEqualTo("ran");
                assertThat(AlertFile.awaitLine(alerts, "\"policy_name\":\"by-image\"")).contains("\"name\":\"" + imaged + "\"");
                assertThat(AlertFile.awaitLine(alerts, "\"policy_name\":\"by-name\"")).contains("\"name\":\"" + named + "\"");
            }
        }
    }

    static String[] cli(DockerForAgentTests docker, String... args) {
        List<String> cmd = new ArrayList<>(List.of(docker.cli().split(" ")));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    static int exec(DockerForAgentTests docker, String container, String arg) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(docker.cli().split(" ")));
        cmd.addAll(List.of("exec", container, arg.startsWith("/tmp/") ? "/t/marker" : arg));
        if (arg.startsWith("/tmp/")) cmd.add(arg);
        return ProcessRun.status(cmd.toArray(String[]::new));
    }

    static final class ProcessRun {
        static int status(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        }
    }
}
