package dev.vigil.containers;

import java.io.IOException;

/**
 * A runtime that describes containers: Docker's Engine API or a CRI runtime (containerd, CRI-O). Which one is
 * asked about a container follows from its cgroup path ({@link ContainerId#runtime()}).
 */
sealed interface MetadataSource extends AutoCloseable permits DockerApi, CriApi {

    /** The container as a complete view; {@link DockerApi.NotFound} when the runtime does not know it. */
    ContainerInfo inspect(ContainerId cid) throws IOException;

    /** For messages: which runtime at which socket. */
    String describe();

    /** Whether its socket exists at all (a runtime that is not installed is no failure when another answers). */
    boolean present();

    @Override
    void close();
}
