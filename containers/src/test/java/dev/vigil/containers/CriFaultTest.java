package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.ContainerView;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRI socket missing, answering garbage, never answering, answering gRPC errors or messages that do not
 * parse, and a fake runtime answering in CRI-O's shape: resolve() stays prompt and returns the id alone until a
 * real answer, failures are counted (and said once), answers map to the same fields. (ContainerdCriTest runs the
 * real containerd.)
 */
class CriFaultTest {
    static final String ID = "9a8b7c6d5e4f30211203f4e5d6c7b8a99887766554433221100ffeeddccbbaa0";
    static final String PATH = "/kubepods/burstable/pod7d1c/" + ID;

    @TempDir Path dir;
    final Closer toClose = new Closer();
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Logger jul = Logger.getLogger("dev.vigil.containers");
    final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { logged.add(r); }
        @Override public void flush() { }
        @Override public void close() { }
    };

    @BeforeEach void listen() {
        jul.addHandler(capture);
    }

    @AfterEach void tearDown() throws Exception {
        jul.removeHandler(capture);
        toClose.close();
    }

    ContainerResolver resolver(Path... sockets) {
        return resolver(Duration.ofMillis(300), sockets);
    }

    ContainerResolver resolver(Duration requestTimeout, Path... sockets) {
        ContainerResolver r = ContainerResolver.create(ContainerResolver.Options.defaults().withDockerSocket(null)
                .withCriSockets(List.of(sockets)).withRequestTimeout(requestTimeout)
                .withRetryAfterFailure(Duration.ofMillis(100)));
        toClose.add(r);
        return r;
    }

    /** resolve() over and over for a while: every call fast, every answer the id alone. */
    static void hammer(ContainerResolver r, long millis) {
        // far below the 300 ms request timeout: resolve never waits on the socket (the margin is for JIT and
        // class-loading pauses on a 2-core machine while gRPC and Netty load)
        FaultySocketTest.hammer(r, PATH, millis, CriFaultTest::assertIdOnly, 150_000_000L);
    }

    static void assertIdOnly(ContainerView v) {
        assertThat(v).isInstanceOf(ContainerInfo.class);
        assertThat(((ContainerInfo) v).complete()).isFalse();
        assertThat(v.fullId().toString()).isEqualTo(ID);
        assertThat(v.runtime().toString()).isEqualTo("cri");
        assertThat(v.name()).isNull();
        assertThat(v.image()).isNull();
        assertThat(v.label(ContainerView.LABEL_POD_NAME)).isNull();
    }

    /** Waits for the condition while resolving (a lookup is retried only when the container is seen again). */
    static void awaitResolving(ContainerResolver r, java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what + "; stats " + r.stats());
            long t0 = System.nanoTime();
            r.resolve(42, PATH);
            assertThat(System.nanoTime() - t0).isLessThan(150_000_000L);
            Thread.sleep(5);
        }
    }

    long warnings(String containing) {
        return logged.stream().filter(l -> l.getMessage().contains(containing)).count();
    }

    /** A plain unix socket server handing each connection to the handler. */
    Path rawServer(String name, java.util.function.Consumer<SocketChannel> handler) throws IOException {
        return toClose.unixServer(dir.resolve(name), handler);
    }

    @Test void socketMissing() throws Exception {
        ContainerResolver r = resolver(dir.resolve("containerd.sock"), dir.resolve("crio.sock"));
        hammer(r, 400);
        awaitResolving(r, () -> r.stats().unavailable() >= 2, "unavailable counted");
        assertThat(r.stats().fetchedOk()).isZero();
        assertThat(r.stats().fetches()).as("one lookup per retry period, not one per resolve").isLessThan(20);
        assertThat(warnings("no socket at")).as("said once").isEqualTo(1);
    }

    @Test void garbage() throws Exception {
        Path sock = rawServer("garbage.sock", c -> {
            try (c) {
                c.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n\r\nthis is not HTTP/2 at all\u0000\u0001\u0002"
                        .getBytes(StandardCharsets.ISO_8859_1)));
                Thread.sleep(50);
            } catch (IOException | InterruptedException e) {
                // closed
            }
        });
        ContainerResolver r = resolver(sock);
        hammer(r, 400);
        awaitResolving(r, () -> r.stats().failures() >= 2, "failures counted");
        assertThat(r.stats().fetchedOk()).isZero();
        assertThat(logged.stream().filter(l -> l.getMessage().contains("CRI (" + sock + ")")).count())
                .as("said once per kind").isBetween(1L, 3L);
    }

    @Test void neverAnswers() throws Exception {
        Path sock = rawServer("silent.sock", c -> {
            try (c) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (c.read(b) >= 0) b.clear(); // reads the client's preface and frames, answers nothing
            } catch (IOException e) {
                // closed
            }
        });
        ContainerResolver r = resolver(sock);
        hammer(r, 800);
        awaitResolving(r, () -> r.stats().timeouts() >= 2, "timeouts counted");
        assertThat(r.stats().fetchedOk()).isZero();
    }

    // ---------------------------------------------------------------- a fake CRI runtime (real gRPC server)

    static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override public InputStream stream(byte[] v) { return new ByteArrayInputStream(v); }
        @Override public byte[] parse(InputStream in) {
            try { return in.readAllBytes(); } catch (IOException e) { throw new UncheckedIOException(e); }
        }
    };

    /** A gRPC server on a unix socket answering each RuntimeService method with the function's bytes (null: error). */
    Path fakeRuntime(String name, Map<String, Function<byte[], byte[]>> methods) throws IOException {
        Path p = dir.resolve(name);
        ServerServiceDefinition.Builder svc = ServerServiceDefinition.builder(CriApi.SERVICE);
        methods.forEach((m, f) -> svc.addMethod(MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(MethodDescriptor.MethodType.UNARY)
                        .setFullMethodName(MethodDescriptor.generateFullMethodName(CriApi.SERVICE, m))
                        .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build(),
                ServerCalls.asyncUnaryCall((req, obs) -> {
                    byte[] out = f.apply(req);
                    if (out == null) {
                        obs.onError(Status.UNIMPLEMENTED.withDescription("not here").asRuntimeException());
                    } else {
                        obs.onNext(out);
                        obs.onCompleted();
                    }
                })));
        EventLoopGroup boss = new EpollEventLoopGroup(1), workers = new EpollEventLoopGroup(1);
        Server s = NettyServerBuilder.forAddress(new DomainSocketAddress(p.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(boss).workerEventLoopGroup(workers)
                .withChildOption(io.grpc.netty.shaded.io.netty.channel.ChannelOption.SO_KEEPALIVE, null)
                .addService(svc.build()).build().start();
        toClose.add(() -> {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        });
        toClose.add(() -> s.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        return p;
    }

    static byte[] version(String runtime) {
        return new Proto.Writer().string(1, "0.1.0").string(2, runtime).string(3, "1.0").string(4, "v1").toBytes();
    }

    static String requestedId(byte[] req) {
        Proto.Reader r = new Proto.Reader(req);
        while (r.next()) if (r.field() == 1) return r.string();
        return "";
    }

    @Test void answersThatDoNotParseAreGarbage() throws Exception {
        Path sock = fakeRuntime("bad.sock", Map.of(
                "Version", req -> version("containerd"),
                // field 1, length 100, but only 2 bytes follow
                "ContainerStatus", req -> new byte[] {0x0a, 100, 1, 2}));
        ContainerResolver r = resolver(sock);
        hammer(r, 300);
        awaitResolving(r, () -> r.stats().garbage() >= 2, "garbage counted");
        assertThat(r.stats().fetchedOk()).isZero();
    }

    @Test void grpcErrorsAreErrors() throws Exception {
        Path sock = fakeRuntime("unimpl.sock", Map.of("Version", req -> null));
        ContainerResolver r = resolver(sock);
        hammer(r, 300);
        awaitResolving(r, () -> r.stats().errors() >= 2, "errors counted");
    }

    @Test void slowAnswerTimesOut() throws Exception {
        Path sock = fakeRuntime("slow.sock", Map.of("Version", req -> {
            try { Thread.sleep(2000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            return version("containerd");
        }));
        ContainerResolver r = resolver(sock);
        hammer(r, 800);
        awaitResolving(r, () -> r.stats().timeouts() >= 2, "timeouts counted");
        assertThat(r.stats().fetchedOk()).isZero();
    }

    /** CRI-O's shape: privileged at the top of the verbose info, image by id with a digested image_ref. */
    @Test void crioShapedAnswer() throws Exception {
        String imageId = "4f".repeat(32), sandbox = "5e".repeat(32);
        String info = "{\"sandboxID\":\"" + sandbox + "\",\"pid\":4242,\"privileged\":true}";
        Path sock = fakeRuntime("crio.sock", Map.of(
                "Version", req -> version("cri-o"),
                "ListContainers", req -> new byte[0], // none running at start
                "ContainerStatus", req -> {
                    if (!ID.equals(requestedId(req))) return null;
                    Proto.Writer st = new Proto.Writer().string(1, ID)
                            .message(2, new Proto.Writer().string(1, "sidecar").int64(2, 3))
                            .int64(3, 1).int64(4, 1_700_000_000_000_000_000L).int64(5, 1_700_000_000_123_456_789L)
                            .message(8, new Proto.Writer().string(1, "sha256:" + imageId))
                            .string(9, "quay.io/team/sidecar@sha256:" + "ab".repeat(32))
                            .map(12, Map.of(ContainerView.LABEL_POD_NAME, "p1", ContainerView.LABEL_POD_NAMESPACE, "ns1"))
                            .message(14, new Proto.Writer().string(1, "/etc/cfg").string(2, "/srv/cfg").bool(3, true).int64(5, 1))
                            .message(18, new Proto.Writer().message(1, new Proto.Writer().int64(1, 1000).int64(2, 2000)));
                    return new Proto.Writer().message(1, st).map(2, Map.of("info", info)).toBytes();
                },
                "PodSandboxStatus", req -> new Proto.Writer().message(1, new Proto.Writer().string(1, sandbox)
                        .message(2, new Proto.Writer().string(1, "p1").string(2, "u-1").string(3, "ns1"))
                        .message(5, new Proto.Writer().string(1, "203.0.113.9")
                                .message(2, new Proto.Writer().string(1, "2001:db8::9"))) // network: ip, additional_ips
                        .message(6, new Proto.Writer().message(1, new Proto.Writer().message(2,
                                new Proto.Writer().int64(2, 1).int64(3, 2))))).toBytes())); // pid CONTAINER, ipc NODE
        // a timeout that a loaded machine cannot hit: this test is about the answer's shape, not deadlines
        ContainerResolver r = resolver(Duration.ofSeconds(10), dir.resolve("containerd-absent.sock"), sock);
        r.resolve(7, PATH);
        awaitResolving(r, () -> r.stats().fetchedOk() == 1, "fetched");
        ContainerInfo c = (ContainerInfo) r.resolve(7, PATH);
        assertThat(c.complete()).isTrue();
        assertThat(c.runtime().toString()).isEqualTo("cri-o");
        assertThat(c.name().toString()).isEqualTo("sidecar");
        assertThat(c.privileged()).isTrue();
        assertThat(c.image().toString()).isEqualTo("sha256:" + imageId);
        assertThat(c.imageId().toString()).isEqualTo(imageId);
        assertThat(c.imageRepository().toString()).isEqualTo("quay.io/team/sidecar");
        assertThat(c.imageTag()).isNull();
        assertThat(c.imageDigest().toString()).isEqualTo("sha256:" + "ab".repeat(32));
        assertThat(c.startTs()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(c.label(ContainerView.LABEL_POD_NAME).toString()).isEqualTo("p1");
        assertThat(c.label(ContainerView.LABEL_POD_UID).toString()).isEqualTo("u-1");
        assertThat(c.networkMode()).as("pod network POD (proto3 zero)").isEqualTo("pod");
        assertThat(String.valueOf(c.ip())).as("the pod's primary IP").isEqualTo("203.0.113.9");
        assertThat(c.hostNetwork()).isFalse();
        assertThat(c.hostPid()).as("pid CONTAINER").isFalse();
        assertThat(c.hostIpc()).as("ipc NODE").isTrue();
        assertThat(c.user()).isEqualTo("1000:2000");
        assertThat(c.mountCount()).isEqualTo(1);
        assertThat(c.mount(0).source()).isEqualTo("/srv/cfg");
        assertThat(c.mount(0).dest()).isEqualTo("/etc/cfg");
        assertThat(c.mount(0).readWrite()).isFalse();
        assertThat(c.mount(0).propagation()).isEqualTo("rslave");
        assertThat(r.stats().failures()).as("an absent containerd socket is no failure when CRI-O answers").isZero();
    }
}
