package dev.vigil.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.events.ContainerView;
import dev.vigil.events.EventView;
import dev.vigil.events.Mount;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The CRI (Kubernetes Container Runtime Interface, {@code runtime.v1.RuntimeService}) calls Vigil makes to
 * containerd or CRI-O over their unix socket: ContainerStatus (verbose, for the sandbox id and privileged),
 * PodSandboxStatus (pod name, namespace, uid when the container's labels lack them), ListContainers, Version.
 *
 * <p>gRPC over grpc-java's Netty transport (epoll unix-domain channel); the messages are encoded by hand
 * ({@link Proto}) with the field numbers of the CRI api.proto, so no generated code is needed. Every call has a
 * deadline; failures map to the same exceptions as Docker's API (unavailable, timeout, garbage, not found).
 */
final class CriApi implements MetadataSource {
    static final String SERVICE = "runtime.v1.RuntimeService";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a pod sandbox says about its pod: the namespace modes are the CRI's NamespaceMode (0 POD, 1 CONTAINER,
     * 2 NODE; -1 not reported), ip its network status's primary address (null: none, as for a pod on the node's network).
     */
    record Sandbox(String name, String namespace, String uid, int networkMode, long createdAt, Map<String, String> labels,
                   int pidMode, int ipcMode, String ip) {}

    /** NamespaceMode NODE: the host's namespace (hostNetwork, hostPID, hostIPC). */
    private static final int NODE = 2;

    private final Path socket;
    private final long timeoutNanos;
    private final Map<String, MethodDescriptor<byte[], byte[]>> methods = new ConcurrentHashMap<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private volatile ManagedChannel channel;
    private EventLoopGroup group;
    private volatile String runtimeName;
    private volatile boolean closed;

    CriApi(Path socket, long timeoutNanos) {
        this.socket = socket;
        this.timeoutNanos = timeoutNanos;
    }

    Path socket() { return socket; }

    @Override
    public String describe() { return "CRI (" + socket + ")"; }

    @Override
    public boolean present() { return Files.exists(socket); }

    // ---------------------------------------------------------------- transport

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override public InputStream stream(byte[] value) { return new ByteArrayInputStream(value); }
        @Override public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private MethodDescriptor<byte[], byte[]> method(String name) {
        return methods.computeIfAbsent(name, n -> MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, n))
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build());
    }

    private synchronized ManagedChannel channel() throws IOException {
        if (closed) throw new UnixHttp.Unavailable("CRI client closed", null);
        if (channel != null) return channel;
        if (!Epoll.isAvailable()) {
            throw new UnixHttp.Unavailable("no epoll transport for unix sockets here: " + Epoll.unavailabilityCause(), null);
        }
        // one small event loop per socket: CRI lookups are rare (once per container), a thread is plenty
        group = new EpollEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "vigil-cri-io");
            t.setDaemon(true);
            return t;
        });
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class)
                // gRPC sets TCP keepalive by default; a unix socket has none (Netty would warn on every connect)
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .usePlaintext().overrideAuthority("localhost")
                .maxInboundMessageSize(16 << 20).userAgent("vigil").build();
        return channel;
    }

    /** One unary call with the deadline; gRPC failures become the resolver's failure kinds. */
    byte[] call(String name, byte[] request) throws IOException {
        ManagedChannel ch = channel;
        if (ch == null || closed) ch = channel();
        // a socket that was missing or refusing: after a while, try at once rather than wait out gRPC's backoff
        if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) ch.resetConnectBackoff();
        try {
            return ClientCalls.blockingUnaryCall(ch, method(name),
                    CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS), request);
        } catch (StatusRuntimeException e) {
            throw failure(name, e.getStatus());
        }
    }

    private IOException failure(String name, Status s) {
        String msg = name + ": " + s.getCode() + (s.getDescription() == null ? "" : " " + clean(s.getDescription()));
        return switch (s.getCode()) {
            case NOT_FOUND -> new DockerApi.NotFound(msg);
            case UNAVAILABLE -> new UnixHttp.Unavailable(msg, null);
            case DEADLINE_EXCEEDED -> new UnixHttp.Timeout(msg);
            // INTERNAL: the peer broke the HTTP/2 or gRPC framing, or sent a message that does not parse
            // (UNKNOWN is what Go servers say for any plain error: an error, not garbage)
            case INTERNAL, DATA_LOSS -> new UnixHttp.Garbage(msg);
            default -> new IOException(msg);
        };
    }

    /** The runtime's error text, printable and bounded (its errors can be long chains). */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 400; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- calls

    /** Version: the runtime's name (containerd, cri-o), as its CRI reports it. */
    String runtimeName() throws IOException {
        String n = runtimeName;
        if (n != null) return n;
        Proto.Reader r = new Proto.Reader(call("Version", new Proto.Writer().string(1, "v1").toBytes()));
        n = "";
        while (r.next()) if (r.field() == 2 && r.wire() == Proto.LEN) n = r.string();
        runtimeName = n;
        return n;
    }

    @Override
    public ContainerInfo inspect(ContainerId cid) throws IOException {
        try {
            return inspectUnchecked(cid);
        } catch (Proto.Malformed m) {
            throw new UnixHttp.Garbage("CRI answer for " + cid.shortId() + " does not parse: " + m.getMessage());
        }
    }

    private ContainerInfo inspectUnchecked(ContainerId cid) throws IOException {
        String rt = switch (runtimeName()) {
            case "containerd" -> ContainerId.CONTAINERD;
            case "cri-o" -> ContainerId.CRIO;
            default -> cid.runtime();
        };
        byte[] resp;
        try {
            resp = call("ContainerStatus", new Proto.Writer().string(1, cid.fullId()).bool(2, true).toBytes());
        } catch (DockerApi.NotFound nf) {
            // a pod's sandbox (pause) process has a container cgroup too, but the CRI knows it as a sandbox
            Sandbox sb = sandbox(cid.fullId());
            if (sb == null) throw nf;
            return sandboxView(ContainerId.of(rt, cid.fullId()), sb);
        }
        StatusFields st = null;
        Map<String, String> info = new LinkedHashMap<>();
        Proto.Reader r = new Proto.Reader(resp);
        while (r.next()) {
            if (r.field() == 1 && r.wire() == Proto.LEN) st = status(r.message());
            else if (r.field() == 2 && r.wire() == Proto.LEN) r.entryInto(info);
        }
        if (st == null || !cid.fullId().equals(st.id)) {
            throw new UnixHttp.Garbage("ContainerStatus " + cid.shortId() + ": no status for that container");
        }
        Verbose v = verbose(info.get("info"));

        // the pod: kubelet's containers carry its name and namespace as labels; others get them from the sandbox
        String sandboxId = v.sandboxId != null ? v.sandboxId : sandboxOf(cid.fullId());
        Sandbox sb = sandboxId == null ? null : sandbox(sandboxId);
        Map<String, String> labels = new LinkedHashMap<>(st.labels);
        if (sb != null) {
            if (!sb.name.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_NAME, sb.name);
            if (!sb.namespace.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_NAMESPACE, sb.namespace);
            if (!sb.uid.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_UID, sb.uid);
        }

        // image: the name the runtime reports (a repo tag when it knows one); image_ref: a digest or the image id
        String image = st.image.isEmpty() ? null : st.image;
        String repo = null, tag = null, digest = null, imageId = null;
        if (st.imageRef.startsWith("sha256:")) imageId = st.imageRef.substring(7);
        else if (st.imageRef.contains("@")) digest = st.imageRef.substring(st.imageRef.indexOf('@') + 1);
        if (st.imageId.startsWith("sha256:")) imageId = st.imageId.substring(7);
        if (image != null && image.startsWith("sha256:")) {
            if (imageId == null) imageId = image.substring(7);
            if (st.imageRef.contains("@")) repo = st.imageRef.substring(0, st.imageRef.indexOf('@'));
        } else if (image != null) {
            ContainerInfo.ImageRef ref = ContainerInfo.ImageRef.parse(image);
            repo = ref.repository();
            tag = ref.tag();
            if (digest == null) digest = ref.digest();
        }
        long start = st.startedAt > 0 ? st.startedAt : EventView.ABSENT;
        // the pod's namespace modes (kubelet sets one per pod), else the container's own config (verbose info)
        int net = sb != null && sb.networkMode >= 0 ? sb.networkMode : v.networkMode;
        int pid = sb != null && sb.pidMode >= 0 ? sb.pidMode : v.pidMode;
        int ipc = sb != null && sb.ipcMode >= 0 ? sb.ipcMode : v.ipcMode;
        String netMode = networkMode(net);
        return new ContainerInfo(ContainerId.of(rt, cid.fullId()), true, st.name, image, repo, tag, digest, imageId,
                v.privileged, start, st.mounts, v.capAdd, netMode, st.user, labels).withPodLabels(sb == null ? Map.of() : sb.labels)
                .withHost(sb == null ? null : sb.ip, pid == NODE, net == NODE, ipc == NODE); // a pod's containers share its IP
    }

    /**
     * A pod sandbox as a container: its labels with the pod's name, namespace and uid, its creation time; no
     * name (the CRI gives a sandbox none of its own), image or mounts.
     */
    private static ContainerInfo sandboxView(ContainerId cid, Sandbox sb) {
        Map<String, String> labels = new LinkedHashMap<>(sb.labels);
        if (!sb.name.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_NAME, sb.name);
        if (!sb.namespace.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_NAMESPACE, sb.namespace);
        if (!sb.uid.isEmpty()) labels.putIfAbsent(ContainerView.LABEL_POD_UID, sb.uid);
        return new ContainerInfo(cid, true, null, null, null, null, null, null, false,
                sb.createdAt > 0 ? sb.createdAt : EventView.ABSENT, List.of(), List.of(), networkMode(sb.networkMode), null, labels)
                .withPodLabels(sb.labels).withHost(sb.ip, sb.pidMode == NODE, sb.networkMode == NODE, sb.ipcMode == NODE);
    }

    private static String networkMode(int namespaceMode) {
        return switch (namespaceMode) {
            case 2 -> "host";      // NamespaceMode NODE
            case 0 -> "pod";       // POD: the sandbox's own network namespace
            default -> null;
        };
    }

    /** The fields of a ContainerStatus message Vigil uses. */
    private record StatusFields(String id, String name, long startedAt, String image, String imageRef, String imageId,
                          Map<String, String> labels, List<Mount> mounts, String user) {}

    private static StatusFields status(Proto.Reader r) {
        String id = "", name = "", image = "", imageRef = "", imageId = "", user = null;
        long started = 0;
        Map<String, String> labels = new LinkedHashMap<>();
        List<Mount> mounts = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> id = r.string();
                case 2 -> name = firstString(r.message(), 1);                  // ContainerMetadata.name
                case 5 -> started = r.int64();                                 // started_at (ns)
                case 8 -> image = firstString(r.message(), 1);                 // ImageSpec.image
                case 9 -> imageRef = r.string();
                case 12 -> r.entryInto(labels);
                case 14 -> mounts.add(mount(r.message()));
                case 17 -> imageId = r.string();
                case 18 -> user = user(r.message());                           // ContainerUser.linux
                default -> { }
            }
        }
        return new StatusFields(id, name.isEmpty() ? null : name, started, image, imageRef, imageId, labels, mounts, user);
    }

    private static Mount mount(Proto.Reader r) {
        String dest = "", src = "";
        boolean ro = false;
        long prop = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dest = r.string();
                case 2 -> src = r.string();
                case 3 -> ro = r.bool();
                case 5 -> prop = r.int64();
                default -> { }
            }
        }
        String propagation = switch ((int) prop) {
            case 1 -> "rslave";
            case 2 -> "rshared";
            default -> "rprivate";
        };
        return new Mount(src, dest, ro ? "ro" : "", !ro, propagation);
    }

    /** ContainerUser{linux = 1: LinuxContainerUser{uid = 1, gid = 2}} as "uid:gid". */
    private static String user(Proto.Reader r) {
        while (r.next()) {
            if (r.field() == 1 && r.wire() == Proto.LEN) {
                Proto.Reader l = r.message();
                long uid = 0, gid = 0;
                while (l.next()) {
                    if (l.field() == 1 && l.wire() == Proto.VARINT) uid = l.int64();
                    else if (l.field() == 2 && l.wire() == Proto.VARINT) gid = l.int64();
                }
                return uid + ":" + gid;
            }
        }
        return null;
    }

    private static String firstString(Proto.Reader r, int field) {
        while (r.next()) if (r.field() == field && r.wire() == Proto.LEN) return r.string();
        return "";
    }

    /** What the verbose info JSON adds: containerd's and CRI-O's shapes differ. */
    private record Verbose(String sandboxId, boolean privileged, List<String> capAdd, int networkMode, int pidMode, int ipcMode) {}

    static Verbose verbose(String json) {
        if (json == null || json.isEmpty()) return new Verbose(null, false, List.of(), -1, -1, -1);
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            return new Verbose(null, false, List.of(), -1, -1, -1); // only extras: the status itself still counts
        }
        String sandbox = n.path("sandboxID").asText(null);
        // containerd: the CRI ContainerConfig as given; CRI-O: a top-level flag
        JsonNode sc = n.path("config").path("linux").path("security_context");
        boolean privileged = sc.path("privileged").asBoolean(false) || n.path("privileged").asBoolean(false);
        List<String> caps = new ArrayList<>();
        for (JsonNode c : sc.path("capabilities").path("add_capabilities")) caps.add(c.asText());
        JsonNode nso = sc.path("namespace_options");
        int net = nso.has("network") ? nso.path("network").asInt(-1) : -1;
        int pid = nso.has("pid") ? nso.path("pid").asInt(-1) : -1;
        int ipc = nso.has("ipc") ? nso.path("ipc").asInt(-1) : -1;
        return new Verbose(sandbox == null || sandbox.isEmpty() ? null : sandbox, privileged, caps, net, pid, ipc);
    }

    /** ListContainers filtered by state RUNNING: their ids. */
    List<String> runningContainers() throws IOException {
        Proto.Writer running = new Proto.Writer().int64(1, 1); // ContainerStateValue{CONTAINER_RUNNING}
        byte[] req = new Proto.Writer().message(1, new Proto.Writer().message(2, running)).toBytes();
        List<String> ids = new ArrayList<>();
        try {
            Proto.Reader r = new Proto.Reader(call("ListContainers", req));
            while (r.next()) {
                if (r.field() != 1 || r.wire() != Proto.LEN) continue;
                Proto.Reader c = r.message();
                while (c.next()) if (c.field() == 1 && c.wire() == Proto.LEN) ids.add(c.string());
            }
        } catch (Proto.Malformed m) {
            throw new UnixHttp.Garbage("ListContainers does not parse: " + m.getMessage());
        }
        return ids;
    }

    /** ListContainers filtered by id: the container's pod sandbox id, or null. */
    String sandboxOf(String containerId) throws IOException {
        byte[] req = new Proto.Writer().message(1, new Proto.Writer().string(1, containerId)).toBytes();
        Proto.Reader r = new Proto.Reader(call("ListContainers", req));
        while (r.next()) {
            if (r.field() != 1 || r.wire() != Proto.LEN) continue;
            Proto.Reader c = r.message();
            String id = "", sb = "";
            while (c.next()) {
                if (c.field() == 1 && c.wire() == Proto.LEN) id = c.string();
                else if (c.field() == 2 && c.wire() == Proto.LEN) sb = c.string();
            }
            if (id.equals(containerId) && !sb.isEmpty()) return sb;
        }
        return null;
    }

    /** PodSandboxStatus: the pod's metadata, cached per sandbox (its containers share it); null when gone. */
    Sandbox sandbox(String id) throws IOException {
        Sandbox s = sandboxes.get(id);
        if (s != null) return s;
        byte[] resp;
        try {
            resp = call("PodSandboxStatus", new Proto.Writer().string(1, id).toBytes());
        } catch (DockerApi.NotFound nf) {
            return null; // no such pod (or it went away): the container's own fields still count
        }
        String name = "", ns = "", uid = "", ip = "";
        int[] modes = {-1, -1, -1}; // network, pid, ipc
        long created = 0;
        Map<String, String> labels = new LinkedHashMap<>();
        Proto.Reader r = new Proto.Reader(resp);
        while (r.next()) {
            if (r.field() != 1 || r.wire() != Proto.LEN) continue;
            Proto.Reader st = r.message();
            while (st.next()) {
                if (st.field() == 2 && st.wire() == Proto.LEN) {
                    Proto.Reader m = st.message();
                    while (m.next()) {
                        if (m.wire() != Proto.LEN) continue;
                        switch (m.field()) {
                            case 1 -> name = m.string();
                            case 2 -> uid = m.string();
                            case 3 -> ns = m.string();
                            default -> { }
                        }
                    }
                } else if (st.field() == 5 && st.wire() == Proto.LEN) {
                    ip = firstString(st.message(), 1);              // PodSandboxNetworkStatus.ip
                } else if (st.field() == 6 && st.wire() == Proto.LEN) {
                    sandboxNamespaces(st.message(), modes);
                } else if (st.field() == 4 && st.wire() == Proto.VARINT) {
                    created = st.int64();
                } else if (st.field() == 7 && st.wire() == Proto.LEN) {
                    st.entryInto(labels);
                }
            }
        }
        s = new Sandbox(name, ns, uid, modes[0], created, Map.copyOf(labels), modes[1], modes[2], ip.isEmpty() ? null : ip);
        if (sandboxes.size() > 1024) sandboxes.clear();
        sandboxes.put(id, s);
        return s;
    }

    /**
     * LinuxPodSandboxStatus{namespaces = 1: Namespace{options = 2: NamespaceOption{network = 1, pid = 2, ipc = 3}}}
     * into modes {network, pid, ipc}; left -1 when the status has no options.
     */
    private static void sandboxNamespaces(Proto.Reader linux, int[] modes) {
        while (linux.next()) {
            if (linux.field() != 1 || linux.wire() != Proto.LEN) continue;
            Proto.Reader ns = linux.message();
            while (ns.next()) {
                if (ns.field() != 2 || ns.wire() != Proto.LEN) continue;
                Proto.Reader opt = ns.message();
                java.util.Arrays.fill(modes, 0); // proto3: an absent enum is its zero, POD
                while (opt.next()) {
                    if (opt.wire() == Proto.VARINT && opt.field() >= 1 && opt.field() <= 3) modes[opt.field() - 1] = (int) opt.int64();
                }
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
