package dev.vigil.containers;

import dev.vigil.events.ContainerView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The container of an event's process, for the sensor: {@link #resolve} is the hot path (one hash lookup by
 * cgroup id, no allocation once the cgroup was seen, never blocks, never does I/O). Metadata comes from the
 * runtime off the hot path: an unknown container is returned with its id alone and fetched once, asynchronously;
 * the runtime's event stream fetches new containers before their first event is even read.
 *
 * <p>Thread-safe: resolve may be called from several reader threads.
 */
public interface ContainerResolver extends AutoCloseable {

    /**
     * The container of a process in this cgroup: {@link dev.vigil.events.Container#HOST} for host processes,
     * else a {@link ContainerInfo} (complete once the runtime answered, id-only before). A cgroup id (cgroup v2:
     * the directory's inode, unique for the cgroup's life) is tied to the first path given for it; 0 means
     * unknown (the path is then parsed on every call).
     */
    ContainerView resolve(long cgroupId, CharSequence cgroupPath);

    /**
     * True while metadata for this container is on its way: a fetch is running, or a just-started container
     * the runtime did not know yet is about to be asked again. A consumer may hold the container's events
     * that long (bounded by its own deadline) so that they carry the metadata.
     */
    default boolean metadataPending(CharSequence fullId) { return false; }

    /** Counters: lookups made to the runtime, their failures by kind, the event stream, the cache. */
    ContainerStats stats();

    /** Stops the event stream and pending fetches; resolve keeps answering from the cache (ids only after). */
    @Override
    void close();

    /**
     * Options; {@link #defaults()} asks Docker at /var/run/docker.sock and the CRI at containerd's and CRI-O's
     * default sockets (Falco's defaults). {@code criSockets} are asked in order for containers whose cgroup says
     * containerd, CRI-O or Kubernetes; an empty list turns the CRI off.
     */
    record Options(Path dockerSocket, Duration requestTimeout, int maxContainers, Duration grace,
                   int maxConcurrentFetches, Duration retryAfterFailure, boolean watchEvents, List<Path> criSockets) {
        public static final Path DEFAULT_DOCKER_SOCKET = Path.of("/var/run/docker.sock");
        /** Falco's defaults: containerd, CRI-O, k3s's containerd. */
        public static final List<Path> DEFAULT_CRI_SOCKETS = List.of(Path.of("/run/containerd/containerd.sock"),
                Path.of("/run/crio/crio.sock"), Path.of("/run/k3s/containerd/containerd.sock"));

        public Options {
            criSockets = criSockets == null ? List.of() : List.copyOf(criSockets);
        }

        public static Options defaults() {
            return new Options(DEFAULT_DOCKER_SOCKET, Duration.ofSeconds(2), 4096, Duration.ofSeconds(30), 8,
                    Duration.ofSeconds(10), true, DEFAULT_CRI_SOCKETS);
        }

        public Options withDockerSocket(Path p) {
            return new Options(p, requestTimeout, maxContainers, grace, maxConcurrentFetches, retryAfterFailure, watchEvents, criSockets);
        }

        public Options withRequestTimeout(Duration d) {
            return new Options(dockerSocket, d, maxContainers, grace, maxConcurrentFetches, retryAfterFailure, watchEvents, criSockets);
        }

        public Options withGrace(Duration d) {
            return new Options(dockerSocket, requestTimeout, maxContainers, d, maxConcurrentFetches, retryAfterFailure, watchEvents, criSockets);
        }

        public Options withMaxContainers(int n) {
            return new Options(dockerSocket, requestTimeout, n, grace, maxConcurrentFetches, retryAfterFailure, watchEvents, criSockets);
        }

        public Options withRetryAfterFailure(Duration d) {
            return new Options(dockerSocket, requestTimeout, maxContainers, grace, maxConcurrentFetches, d, watchEvents, criSockets);
        }

        public Options withWatchEvents(boolean w) {
            return new Options(dockerSocket, requestTimeout, maxContainers, grace, maxConcurrentFetches, retryAfterFailure, w, criSockets);
        }

        /** The CRI sockets to ask (empty: no CRI). */
        public Options withCriSockets(List<Path> sockets) {
            return new Options(dockerSocket, requestTimeout, maxContainers, grace, maxConcurrentFetches, retryAfterFailure, watchEvents, sockets);
        }
    }

    /**
     * A resolver asking Docker (when {@code dockerSocket} is not null, watching its event stream) and the CRI
     * sockets (once per new container, off the hot path).
     */
    static ContainerResolver create(Options options) {
        return new CachingResolver(options);
    }

    /** Identity only, no runtime asked: ids from cgroup paths, every other field absent. */
    static ContainerResolver identityOnly() {
        return new CachingResolver(Options.defaults().withDockerSocket(null).withWatchEvents(false).withCriSockets(List.of()));
    }
}
