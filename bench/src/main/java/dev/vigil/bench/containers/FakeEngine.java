package dev.vigil.bench.containers;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the Docker Engine's API socket, so the hot-path benchmark can fill the resolver's cache through
 * its real fetch code without a daemon. {@link Mode#ANSWER}: every {@code GET /containers/<id>/json} gets a
 * small, plausible inspect object for that id (anything else a 404, which the resolver tolerates for images).
 * {@link Mode#SILENT}: connections are accepted and never answered, so fetches stay in flight for the whole
 * benchmark (the "metadata not yet fetched" state, held still).
 */
final class FakeEngine implements AutoCloseable {
    enum Mode { ANSWER, SILENT }

    final Path dir, socket;
    private final Mode mode;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> held = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeEngine(Mode mode) throws IOException {
        this.mode = mode;
        this.dir = Files.createTempDirectory("vigil-fake-engine.");
        this.socket = dir.resolve("docker.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.acceptor = Thread.ofPlatform().daemon().name("fake-engine").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                if (mode == Mode.SILENT) {
                    held.add(c); // keep it open, say nothing: the client waits for its deadline
                } else {
                    try (c) {
                        answer(c);
                    }
                }
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    /** Reads one request head and answers it; one request per connection, as the resolver's client asks. */
    private static void answer(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(8192);
        String head = "";
        while (!head.contains("\r\n\r\n") && in.hasRemaining()) {
            if (c.read(in) < 0) return;
            head = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        }
        String[] requestLine = head.substring(0, Math.max(0, head.indexOf("\r\n"))).split(" ");
        String path = requestLine.length > 1 ? requestLine[1] : "";
        int status = 404;
        String body = "{\"message\":\"not here\"}";
        if (path.startsWith("/containers/") && path.endsWith("/json")) {
            String id = path.substring("/containers/".length(), path.length() - "/json".length());
            if (id.length() == 64) {
                status = 200;
                body = inspect(id);
            }
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String resp = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(resp.length() + b.length);
        out.put(resp.getBytes(StandardCharsets.ISO_8859_1)).put(b).flip();
        while (out.hasRemaining()) c.write(out);
    }

    /** The fields Vigil reads from a real inspect answer, with values like a plain `docker run` gives. */
    static String inspect(String id) {
        return """
                {"Id":"%s","Name":"/bench-%s","Image":"sha256:%s",
                 "State":{"Status":"running","StartedAt":"2026-11-25T12:00:00.123456789Z"},
                 "Config":{"Image":"registry.example/team/app:1.2","User":"","Labels":{"io.kubernetes.pod.name":"p-%s","team":"blue"}},
                 "HostConfig":{"Privileged":false,"NetworkMode":"none","CapAdd":["NET_ADMIN"]},
                 "Mounts":[{"Source":"/srv/data","Destination":"/data","Mode":"ro","RW":false,"Propagation":"rprivate"}]}
                """.formatted(id, id.substring(0, 12), "ab".repeat(32), id.substring(0, 6));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel c : held) {
            try { c.close(); } catch (IOException ignored) { }
        }
        acceptor.interrupt();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
