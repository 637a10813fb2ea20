package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.containers.CriPods;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * containerSelector by Kubernetes namespace and pod, end to end with real pods of a private containerd (CRI): the
 * selection comes from the sandbox metadata the CRI reports (ContainerScopes), is written to the kernel by the
 * containers' mount namespaces, and the same binary, mounted into two pods, is killed in the selected pod only.
 */
class EnforcerCriPodsKernelTest {
    @TempDir
    Path dir;

    @Test
    void aPolicyScopedToOnePodsNamespaceKillsThereAndNotInAnotherPod() throws Exception {
        KernelTests.assumeKernel();
        TestBinaries.marker(dir.resolve("bin"), "marker");
        Path out = Files.createDirectories(dir.resolve("out"));
        LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
        try (CriPods cri = CriPods.start();
             Enforcer enforcer = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0), decisions::add);
             ContainerScopes scopes = new ContainerScopes(enforcer, ContainerResolver.Options.defaults().withDockerSocket(null)
                     .withCriSockets(List.of(cri.socket())), enforcer.hostMntns())) {
            List<EnforcementPolicy> ps = Policies.parse("pods.yaml", """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: team-a-only}
                    spec:
                      containerSelector: {namespaces: [enforce-team-a]}
                      rules:
                      - name: no-marker
                        exec:
                          matchBinaries: [{operator: In, values: ["/t/bin/marker"]}]
                        action: Sigkill
                    ---
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: pod-c-only}
                    spec:
                      containerSelector: {pods: [enforce-c-0], namespaces: [enforce-team-b]}
                      rules:
                      - name: no-marker-in-c
                        exec:
                          matchBinaries: [{operator: In, values: ["/t/bin/marker"]}]
                        action: Sigkill
                    """);
            enforcer.apply(ps);
            scopes.policies(ps);
            // each container waits for /t/out/go, then runs the marker and writes its status
            List<String[]> mounts = List.<String[]>of(new String[] {dir.toString(), "/t", "rw"});
            String[] names = {"a", "b", "c"};
            String[] pods = {cri.runPod("enforce-a-0", "enforce-team-a"), cri.runPod("enforce-b-0", "enforce-team-b"),
                    cri.runPod("enforce-c-0", "enforce-team-b")};
            long[] mntns = new long[names.length];
            for (int i = 0; i < names.length; i++) {
                String id = cri.runContainer(pods[i], "enforce-" + names[i], List.of("/bin/sh", "-c",
                        "while [ ! -e /t/out/go ]; do sleep 1; done; /t/bin/marker /t/out/" + names[i] + "; echo $? > /t/out/"
                                + names[i] + ".status; sleep 300"), mounts);
                mntns[i] = Enforcer.mntnsOf(cri.pid(id));
                assertThat(mntns[i]).isNotZero().isNotEqualTo(enforcer.hostMntns());
            }
            // the selection is written in the same step that records the container's metadata: await the metadata
            for (long m : mntns) {
                long end = System.nanoTime() + 30_000_000_000L;
                while (!(scopes.containerOf(m) instanceof ContainerInfo ci && ci.complete())) {
                    assertThat(System.nanoTime()).as("the CRI's metadata for mount namespace %d within 30 s", m).isLessThan(end);
                    Thread.sleep(50);
                }
            }
            Files.writeString(out.resolve("go"), "");
            for (String n : names) {
                long end = System.nanoTime() + 30_000_000_000L;
                while (!Files.exists(out.resolve(n + ".status")) || Files.readString(out.resolve(n + ".status")).isBlank()) {
                    assertThat(System.nanoTime()).as("container %s ran the marker within 30 s", n).isLessThan(end);
                    Thread.sleep(50);
                }
            }
            assertThat(Files.readString(out.resolve("a.status")).strip()).as("pod a, namespace enforce-team-a: killed").isEqualTo("137");
            assertThat(out.resolve("a")).doesNotExist();
            assertThat(Files.readString(out.resolve("b.status")).strip()).as("pod b, namespace enforce-team-b, not pod c: runs").isEqualTo("0");
            assertThat(out.resolve("b")).hasContent("ran");
            assertThat(Files.readString(out.resolve("c.status")).strip()).as("pod c in enforce-team-b: killed").isEqualTo("137");
            assertThat(out.resolve("c")).doesNotExist();
            Decision first = decisions.poll(10, TimeUnit.SECONDS), second = decisions.poll(10, TimeUnit.SECONDS);
            assertThat(List.of(first, second)).allSatisfy(d -> {
                assertThat(d.hook()).isEqualTo(Hook.EXEC);
                assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
            });
            assertThat(List.of(first.mntns(), second.mntns())).containsExactlyInAnyOrder(mntns[0], mntns[2]);
            assertThat(List.of(first.rule(), second.rule())).containsExactlyInAnyOrder("no-marker", "no-marker-in-c");
        }
    }
}
