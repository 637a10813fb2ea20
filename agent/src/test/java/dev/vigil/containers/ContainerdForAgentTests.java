package dev.vigil.containers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The containers module's real containerd harness ({@link ContainerdEngine}, package-private in its test-jar) for
 * the agent's tests: same gate (skipped without root/containerd, required under VIGIL_REQUIRE_KERNEL=1), a private
 * containerd with its CRI plugin, pods on the node's network.
 */
public final class ContainerdForAgentTests implements AutoCloseable {
    public static final String IMAGE = ContainerdEngine.IMAGE;
    private final ContainerdEngine engine;

    private ContainerdForAgentTests(ContainerdEngine engine) {
        this.engine = engine;
    }

    public static ContainerdForAgentTests start() throws Exception {
        return new ContainerdForAgentTests(ContainerdEngine.start());
    }

    /** The CRI socket. */
    public Path socket() { return engine.socket; }

    /** RunPodSandbox: the pod's id. */
    public String runPod(String name, String namespace, String uid) throws Exception {
        return engine.runPod(name, namespace, uid, false);
    }

    /** CreateContainer + StartContainer in the pod: the container's id. */
    public String runContainer(String podId, String name, Map<String, String> labels, List<String> command) throws Exception {
        return engine.runContainer(podId, new ContainerdEngine.Spec(name, labels, command, List.of(), false));
    }

    @Override
    public void close() throws Exception { engine.close(); }
}
