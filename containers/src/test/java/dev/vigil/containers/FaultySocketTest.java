package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.ContainerView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime socket missing, answering garbage, never answering, answering errors: resolve() stays prompt and
 * returns the id alone, the failures are counted. (These fake the socket, not Docker: DockerEngineTest runs the
 * real engine.)
 */
class FaultySocketTest {
    static final String ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    static final String PATH = "/docker/" + ID;

    @TempDir Path dir;
    final Closer toClose = new Closer();

    @AfterEach void tearDown() throws Exception {
        toClose.close();
    }

    /** A unix socket server; each accepted connection is handed to the handler on its own virtual thread. */
    Path server(String name, java.util.function.Consumer<SocketChannel> handler) throws IOException {
        return toClose.unixServer(dir.resolve(name), handler);
    }

    /** A server that reads the request and answers with what the function makes of it, then closes. */
    Path answering(String name, Function<String, String> answer) throws IOException {
        return server(name, c -> {
            try (c) {
                ByteBuffer b = ByteBuffer.allocate(8192);
                StringBuilder req = new StringBuilder();
                while (!req.toString().contains("\r\n\r\n")) {
                    b.clear();
                    if (c.read(b) < 0) return;
                    req.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                }
                String a = answer.apply(req.toString());
                if (a == null) { Thread.sleep(60_000); return; }
                c.write(ByteBuffer.wrap(a.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | InterruptedException e) {
                // closed by the test
            }
        });
    }

    ContainerResolver resolver(Path socket) {
        ContainerResolver r = ContainerResolver.create(ContainerResolver.Options.defaults().withDockerSocket(socket)
                .withRequestTimeout(Duration.ofMillis(300)).withRetryAfterFailure(Duration.ofMillis(100)));
        toClose.add(r);
        return r;
    }

    static void assertIdOnly(ContainerView v) {
        assertThat(v).isInstanceOf(ContainerInfo.class);
        assertThat(v.id().toString()).isEqualTo(ID.substring(0, 12));
        assertThat(v.fullId().toString()).isEqualTo(ID);
        assertThat(v.runtime().toString()).isEqualTo("docker");
        assertThat(v.name()).isNull();
        assertThat(v.image()).isNull();
        assertThat(v.imageRepository()).isNull();
        assertThat(v.privileged()).isFalse();
        assertThat(v.mountCount()).isZero();
        assertThat(((ContainerInfo) v).complete()).isFalse();
    }

    /** Calls resolve many times over a while: each call must be fast, whatever the socket does. */
    static void hammer(ContainerResolver r, long millis) {
        hammer(r, PATH, millis, FaultySocketTest::assertIdOnly, 50_000_000L);
    }

    /**
     * resolve(42, path) over and over for {@code millis}: each answer must pass {@code check}, more than 1000
     * calls must fit, and none may take {@code worstNanos} or longer (shared with the CRI fault tests).
     */
    static void hammer(ContainerResolver r, String path, long millis, java.util.function.Consumer<ContainerView> check,
                       long worstNanos) {
        long end = System.nanoTime() + millis * 1_000_000;
        long worst = 0;
        int calls = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            ContainerView v = r.resolve(42, path);
            worst = Math.max(worst, System.nanoTime() - t0);
            check.accept(v);
            calls++;
        }
        assertThat(calls).isGreaterThan(1000);
        assertThat(worst).as("slowest resolve (ns)").isLessThan(worstNanos);
    }

    static void await(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test void hostNeedsNoRuntime() {
        ContainerResolver r = resolver(dir.resolve("absent.sock"));
        assertThat(r.resolve(7, "/process_api/76fcb037796bf1973a44f894df00f6ec")).isSameAs(Container.HOST);
        assertThat(r.resolve(1, "/")).isSameAs(Container.HOST);
        assertThat(r.resolve(0, "/user.slice/user-0.slice/session-2.scope")).isSameAs(Container.HOST);
        assertThat(r.resolve(7, "/process_api/76fcb037796bf1973a44f894df00f6ec").isHost()).isTrue();
    }

    @Test void socketMissing() throws Exception {
        ContainerResolver r = resolver(dir.resolve("absent.sock"));
        hammer(r, 300);
        await(() -> r.stats().unavailable() >= 2, "unavailable counted");
        ContainerStats s = r.stats();
        assertThat(s.fetchedOk()).isZero();
        // one fetch per retry period at most, not one per resolve
        assertThat(s.fetches()).isLessThan(20);
    }

    @Test void garbage() throws Exception {
        Path sock = answering("garbage.sock", req -> "\u0000\u0001 this is not HTTP at all\r\n\r\n{{{");
        ContainerResolver r = resolver(sock);
        hammer(r, 300);
        await(() -> r.stats().garbage() >= 2, "garbage counted");
        assertThat(r.stats().fetchedOk()).isZero();
    }

    @Test void httpButNotJson() throws Exception {
        Path sock = answering("notjson.sock", req -> "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nnot json!");
        ContainerResolver r = resolver(sock);
        hammer(r, 300);
        await(() -> r.stats().garbage() >= 2, "garbage counted");
    }

    @Test void neverAnswers() throws Exception {
        Path sock = answering("silent.sock", req -> null);
        ContainerResolver r = resolver(sock);
        hammer(r, 500);
        await(() -> r.stats().timeouts() >= 2, "timeouts counted");
        assertThat(r.stats().fetchedOk()).isZero();
    }

    @Test void serverErrors() throws Exception {
        Path sock = answering("error.sock", req -> "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                + "Content-Length: 20\r\n\r\n{\"message\":\"boom!!\"}");
        ContainerResolver r = resolver(sock);
        hammer(r, 300);
        await(() -> r.stats().errors() >= 2, "errors counted");
    }

    @Test void notFoundIsAskedOnce() throws Exception {
        Path sock = answering("nf.sock", req -> req.startsWith("GET /events")
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                : req.startsWith("GET /containers/json") ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"
                : "HTTP/1.1 404 Not Found\r\nContent-Length: 39\r\n\r\n{\"message\":\"No such container: abcdef\"}");
        ContainerResolver r = resolver(sock);
        hammer(r, 200);
        await(() -> r.stats().notFound() == 1, "not found counted");
        Thread.sleep(200);
        hammer(r, 100);
        assertThat(r.stats().notFound()).isEqualTo(1);
        assertThat(r.stats().fetches()).isEqualTo(1);
    }

    @Test void chunkedEventStreamAndInspect() throws Exception {
        String inspect = new String(FaultySocketTest.class.getResourceAsStream("/inspect-sample.json").readAllBytes(), StandardCharsets.UTF_8).replace("@ID@", ID);
        String event = "{\"status\":\"start\",\"id\":\"" + ID + "\",\"Type\":\"container\",\"Action\":\"start\","
                + "\"Actor\":{\"ID\":\"" + ID + "\",\"Attributes\":{}},\"time\":1700000000,\"timeNano\":1700000000123456789}\n";
        Path sock = server("chunked.sock", c -> {
            try (c) {
                ByteBuffer b = ByteBuffer.allocate(8192);
                c.read(b);
                String req = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                String out;
                if (req.startsWith("GET /events")) {
                    // the event split over two chunks, then the stream stays open
                    String a = event.substring(0, 20), z = event.substring(20);
                    out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(a.length()) + "\r\n" + a + "\r\n"
                            + Integer.toHexString(z.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + z + "\r\n";
                    c.write(ByteBuffer.wrap(out.getBytes(StandardCharsets.UTF_8)));
                    Thread.sleep(60_000);
                    return;
                } else if (req.startsWith("GET /containers/json")) {
                    out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]";
                } else if (req.startsWith("GET /containers/" + ID + "/json")) {
                    byte[] body = inspect.getBytes(StandardCharsets.UTF_8);
                    StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                    for (int i = 0; i < inspect.length(); i += 100) {
                        String part = inspect.substring(i, Math.min(inspect.length(), i + 100));
                        sb.append(Integer.toHexString(part.getBytes(StandardCharsets.UTF_8).length)).append("\r\n").append(part).append("\r\n");
                    }
                    sb.append("0\r\n\r\n");
                    out = sb.toString();
                } else {
                    out = "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";
                }
                c.write(ByteBuffer.wrap(out.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException | InterruptedException e) {
                // closed
            }
        });
        ContainerResolver r = resolver(sock);
        await(() -> r.stats().events() == 1 && r.stats().fetchedOk() == 1, "event and fetch");
        ContainerView v = r.resolve(99, PATH);
        assertThat(v.name().toString()).isEqualTo("web");
        assertThat(v.image().toString()).isEqualTo("registry.local:5000/team/web:1.2");
        assertThat(v.imageRepository().toString()).isEqualTo("registry.local:5000/team/web");
        assertThat(v.imageTag().toString()).isEqualTo("1.2");
        assertThat(v.privileged()).isTrue();
        assertThat(v.startTs()).isEqualTo(1700000000987654321L);
        assertThat(v.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("p1");
        assertThat(v.mountCount()).isEqualTo(1);
        assertThat(v.mount(0).readWrite()).isFalse();
        ContainerInfo ci = (ContainerInfo) v;
        assertThat(ci.capAdd()).containsExactly("SYS_ADMIN");
        assertThat(ci.networkMode()).isEqualTo("none");
        assertThat(ci.user()).isEqualTo("1000:1000");
        assertThat(r.stats().failures()).isZero();
    }
}
