package dev.vigil.containers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The containers module's private containerd (ContainerdEngine, package-private there) for other modules' tests: pods
 * in a Kubernetes namespace, a busybox container in each with host folders mounted, the container's init pid.
 */
public final class CriPods implements AutoCloseable {
    private final ContainerdEngine engine;

    private CriPods(ContainerdEngine engine) {
        this.engine = engine;
    }

    /** Starts the engine (aborts the test where containerd cannot run, fails under VIGIL_REQUIRE_KERNEL=1). */
    public static CriPods start() throws Exception {
        return new CriPods(ContainerdEngine.start());
    }

    public Path socket() {
        return engine.socket;
    }

    /** A pod (the node's network, its own pid namespace); its sandbox id. */
    public String runPod(String name, String namespace) throws Exception {
        return engine.runPod(name, namespace, "uid-" + name, false);
    }

    /** A container in the pod running command, with each {source, destination, "ro"|"rw"} mounted; its id. */
    public String runContainer(String pod, String name, List<String> command, List<String[]> mounts) throws Exception {
        return engine.runContainer(pod, new ContainerdEngine.Spec(name, Map.of(), command, mounts, false));
    }

    public int pid(String containerId) throws Exception {
        return engine.pid(containerId);
    }

    @Override
    public void close() throws Exception {
        engine.close();
    }
}
