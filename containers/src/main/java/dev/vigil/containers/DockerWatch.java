package dev.vigil.containers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Docker's containers as they come and go, for whoever must act before a container's first packet (network
 * policy): the running ones at start, then each {@code create} (labels already known, before the container's
 * process runs), {@code start} and {@code destroy} from the event stream, with full metadata. The stream is
 * reconnected after a failure (the running list is read again, so nothing is missed).
 */
public final class DockerWatch implements AutoCloseable {
    /** Called on the watch thread. {@code info} is complete for create/start/running, id-only for destroy. */
    public interface Listener {
        void container(String action, ContainerInfo info);
    }

    private final DockerApi api;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile UnixHttp.Stream stream;

    private DockerWatch(Path socket, Listener listener) {
        this.api = new DockerApi(socket, Duration.ofSeconds(5).toNanos());
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("vigil-docker-watch").unstarted(this::loop);
    }

    /** Starts watching; a missing socket is retried (Docker may start later). */
    public static DockerWatch start(Path socket, Listener listener) {
        DockerWatch w = new DockerWatch(socket, listener);
        w.thread.start();
        return w;
    }

    private void loop() {
        while (!closed) {
            try (UnixHttp.Stream s = api.http().stream(DockerApi.EVENTS_PATH)) {
                stream = s;
                // subscribed first, then listed: a container created in between is seen at least once
                for (String id : api.running()) {
                    inspect("running", id);
                }
                s.readLines(line -> {
                    DockerApi.Event e = DockerApi.parseEvent(line);
                    if (e == null) return;
                    if (e.action().equals("destroy")) {
                        safe(e.action(), ContainerInfo.idOnly(ContainerId.of(ContainerId.DOCKER, e.id())));
                    } else if (e.action().equals("create") || e.action().equals("start")) {
                        inspect(e.action(), e.id());
                    }
                });
            } catch (IOException | RuntimeException e) {
                if (closed) return;
            }
            if (!closed) java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
        }
    }

    private void inspect(String action, String id) {
        try {
            safe(action, api.inspect(ContainerId.of(ContainerId.DOCKER, id)));
        } catch (IOException e) {
            // gone already (destroy follows) or the engine is busy: the next event or reconnect sees it
        }
    }

    private void safe(String action, ContainerInfo info) {
        try {
            listener.container(action, info);
        } catch (RuntimeException e) {
            // a listener's failure must not end the watch
        }
    }

    @Override
    public void close() {
        closed = true;
        UnixHttp.Stream s = stream;
        if (s != null) s.close();
        thread.interrupt();
    }
}
