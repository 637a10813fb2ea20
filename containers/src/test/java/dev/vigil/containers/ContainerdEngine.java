package dev.vigil.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, private containerd with its CRI plugin, for tests: Debian's containerd (installed when missing only
 * under VIGIL_REQUIRE_KERNEL=1) with its own root, state, socket and config in a temporary folder, the cgroupfs
 * driver (no systemd here), the overlayfs snapshotter, and a busybox-static image written as an OCI archive and
 * imported into the k8s.io namespace (no registry is reachable), which also serves as the sandbox ("pause")
 * image. Pods use the node's network namespace, so no CNI is needed. {@link #close()} removes the pods, stops
 * the daemon and its shims, kills what is left in the test's cgroups, unmounts and deletes the folder.
 */
final class ContainerdEngine implements AutoCloseable {
    static final String IMAGE = "docker.io/vigil/busybox:1";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir, socket, log;
    /** The cgroup parent of this engine's pods: kubelet's cgroupfs layout, unique per run. */
    final String cgroupParent;
    final CriApi cri;
    private Process daemon;
    private final List<String> pods = new ArrayList<>();

    static void unusable(String why) {
        if (DockerEngine.required()) Assertions.fail("VIGIL_REQUIRE_KERNEL=1 but no containerd CRI can run here: " + why);
        Assumptions.abort("no containerd CRI here: " + why);
    }

    static ContainerdEngine start() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) unusable("not root");
        if (DockerEngine.find("containerd") == null || DockerEngine.find("ctr") == null) {
            if (!DockerEngine.required()) unusable("containerd not installed (VIGIL_REQUIRE_KERNEL=1 installs it)");
            String cmd = "export DEBIAN_FRONTEND=noninteractive; "
                    + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends containerd "
                    + "|| { apt-get update -q -o DPkg::Lock::Timeout=300 && "
                    + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends containerd; }";
            DockerEngine.Result r = DockerEngine.run(List.of("sh", "-c", cmd), 900);
            if (r.code() != 0) unusable("apt-get install containerd failed (" + r.code() + "): " + DockerEngine.tail(r.out()));
        }
        if (DockerEngine.find("containerd") == null || DockerEngine.find("ctr") == null) unusable("containerd/ctr not found after installing containerd");
        ContainerdEngine e = new ContainerdEngine(Files.createTempDirectory(Path.of("/tmp"), "vigil-containerd."));
        try {
            e.launch();
            e.importImage();
            return e;
        } catch (Exception | AssertionError ex) {
            e.close();
            throw ex;
        }
    }

    private ContainerdEngine(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("containerd.sock");
        this.log = dir.resolve("containerd.log");
        this.cgroupParent = "/kubepods/besteffort/pod" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.cri = new CriApi(socket, 10_000_000_000L);
    }

    private void launch() throws Exception {
        String wrapper = DockerEngine.runcWrapper(dir);
        Files.createDirectories(dir.resolve("cni-bin"));
        Files.createDirectories(dir.resolve("cni-conf"));
        Path config = dir.resolve("config.toml");
        // version 2 config; only what differs from the defaults, and every path inside our folder
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
                  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.snapshotter.v1.devmapper"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%3$s"
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  disable_apparmor = true
                  # a sandbox's oom_score_adj of -998 needs CAP_SYS_RESOURCE, which this machine's bounding set lacks
                  restrict_oom_score_adj = true
                  enable_selinux = false
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                        Root = "%1$s/runc"
                        %4$s
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%1$s/cni-bin"
                    conf_dir = "%1$s/cni-conf"
                """.formatted(dir, socket, IMAGE, wrapper == null ? "" : "BinaryName = \"" + wrapper + "\""));
        daemon = new ProcessBuilder(DockerEngine.find("containerd"), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            if (!daemon.isAlive()) throw new IllegalStateException("containerd exited: " + DockerEngine.tail(Files.readString(log)));
            if (Files.exists(socket)) {
                try {
                    String name = cri.runtimeName();
                    if (!"containerd".equals(name)) throw new IllegalStateException("CRI Version says runtime " + name);
                    return;
                } catch (IOException notYet) {
                    // still starting; but UNIMPLEMENTED means the daemon answers without its CRI plugin
                    if (String.valueOf(notYet.getMessage()).contains("UNIMPLEMENTED")) {
                        throw new IllegalStateException("containerd runs but its CRI plugin did not load: "
                                + DockerEngine.tail(Files.readString(log)));
                    }
                }
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("containerd's CRI did not answer in 60 s: " + DockerEngine.tail(Files.readString(log)));
            }
            Thread.sleep(100);
        }
    }

    /** A busybox-static rootfs as a one-layer OCI image archive, imported with ctr into k8s.io. */
    private void importImage() throws Exception {
        Path rootfs = dir.resolve("image-rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        for (String d : new String[] {"tmp", "etc", "proc", "sys", "dev"}) Files.createDirectories(rootfs.resolve(d));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String c : new String[] {"sh", "sleep", "cat", "ls", "echo", "true", "id"}) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(c), Path.of("busybox"));
        }
        Path oci = dir.resolve("image-oci");
        Path blobs = Files.createDirectories(oci.resolve("blobs/sha256"));
        Path layerTar = dir.resolve("layer.tar");
        DockerEngine.Result r = DockerEngine.run(List.of("tar", "-C", rootfs.toString(), "--numeric-owner", "-cf", layerTar.toString(), "."), 120);
        if (r.code() != 0) throw new IllegalStateException("tar: " + r.out());
        byte[] layer = Files.readAllBytes(layerTar);
        String layerDigest = blob(blobs, layer);
        byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sleep\",\"2147483647\"],"
                + "\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + layerDigest + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String cfgDigest = blob(blobs, cfg);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + cfgDigest
                + "\",\"size\":" + cfg.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"sha256:" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = blob(blobs, manifest);
        Files.writeString(oci.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(oci.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestDigest + "\",\"size\":"
                + manifest.length + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":"
                + "{\"io.containerd.image.name\":\"" + IMAGE + "\",\"org.opencontainers.image.ref.name\":\"1\"}}]}");
        Path archive = dir.resolve("image.tar");
        r = DockerEngine.run(List.of("tar", "-C", oci.toString(), "-cf", archive.toString(), "."), 120);
        if (r.code() != 0) throw new IllegalStateException("tar: " + r.out());
        r = DockerEngine.run(List.of(DockerEngine.find("ctr"), "-a", socket.toString(), "-n", "k8s.io", "images", "import",
                archive.toString()), 120);
        if (r.code() != 0) throw new IllegalStateException("ctr images import: " + r.out());
        this.imageId = cfgDigest;
    }

    /** The image's id (its config digest, hex), as the CRI reports it. */
    String imageId;

    private static String blob(Path blobs, byte[] content) throws Exception {
        String d = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(d), content);
        return d;
    }

    // ---------------------------------------------------------------- CRI calls the agent never makes

    /** The CRI's NamespaceMode values. */
    static final int POD = 0, CONTAINER = 1, NODE = 2;

    private Proto.Writer sandboxConfig(String name, String namespace, String uid, boolean privileged, int[] modes) {
        Proto.Writer nsOpts = namespaceOptions(modes);
        return new Proto.Writer()
                .message(1, new Proto.Writer().string(1, name).string(2, uid).string(3, namespace))  // metadata
                .map(6, Map.of("app", name))                                                            // labels
                .message(8, new Proto.Writer().string(1, cgroupParent)                                   // linux
                        .message(2, new Proto.Writer().message(1, nsOpts).bool(6, privileged)));          // security_context
    }

    /** RunPodSandbox in the node's network namespace (privileged: it may hold privileged containers): its id. */
    String runPod(String name, String namespace, String uid, boolean privileged) throws IOException {
        return runPod(name, namespace, uid, privileged, NODE, CONTAINER, NODE);
    }

    /** RunPodSandbox with these namespace modes (network, pid, ipc: POD, CONTAINER or NODE; network POD needs a CNI). */
    String runPod(String name, String namespace, String uid, boolean privileged, int network, int pid, int ipc) throws IOException {
        int[] modes = {network, pid, ipc};
        Proto.Writer cfg = sandboxConfig(name, namespace, uid, privileged, modes);
        byte[] resp = cri.call("RunPodSandbox", new Proto.Writer().message(1, cfg).toBytes());
        String id = firstString(resp, 1);
        pods.add(id);
        podConfigs.put(id, cfg);
        podModes.put(id, modes);
        return id;
    }

    private final Map<String, int[]> podModes = new java.util.concurrent.ConcurrentHashMap<>();

    private static Proto.Writer namespaceOptions(int[] modes) {
        Proto.Writer w = new Proto.Writer();
        // proto3: a zero (POD) is left out, as the runtime's own encoder does
        for (int i = 0; i < 3; i++) if (modes[i] != 0) w.int64(i + 1, modes[i]);
        return w;
    }

    private final Map<String, Proto.Writer> podConfigs = new java.util.concurrent.ConcurrentHashMap<>();

    /** What a test container gets. */
    record Spec(String name, Map<String, String> labels, List<String> command, List<String[]> mounts, boolean privileged) {}

    /** CreateContainer + StartContainer: the container id. mounts: {hostPath, containerPath, "ro"|"rw"}. */
    String runContainer(String podId, Spec spec) throws IOException {
        Proto.Writer cfg = new Proto.Writer()
                .message(1, new Proto.Writer().string(1, spec.name()))                     // metadata
                .message(2, new Proto.Writer().string(1, IMAGE))                            // image
                .strings(3, spec.command())                                                 // command
                .map(9, spec.labels());                                                     // labels
        for (String[] m : spec.mounts()) {
            cfg.message(7, new Proto.Writer().string(1, m[1]).string(2, m[0]).bool(3, "ro".equals(m[2])));
        }
        cfg.message(15, new Proto.Writer().message(2, new Proto.Writer().bool(2, spec.privileged())
                .message(3, namespaceOptions(podModes.get(podId)))));
        byte[] resp = cri.call("CreateContainer", new Proto.Writer().string(1, podId).message(2, cfg)
                .message(3, podConfigs.get(podId)).toBytes());
        String id = firstString(resp, 1);
        cri.call("StartContainer", new Proto.Writer().string(1, id).toBytes());
        return id;
    }

    void stopContainer(String id) throws IOException {
        cri.call("StopContainer", new Proto.Writer().string(1, id).toBytes());
    }

    /** The pid of a container's init, from containerd's verbose ContainerStatus info. */
    int pid(String containerId) throws IOException {
        Proto.Reader r = new Proto.Reader(cri.call("ContainerStatus", new Proto.Writer().string(1, containerId).bool(2, true).toBytes()));
        Map<String, String> info = new java.util.HashMap<>();
        while (r.next()) if (r.field() == 2) r.entryInto(info);
        JsonNode n = JSON.readTree(info.getOrDefault("info", "{}"));
        int pid = n.path("pid").asInt(0);
        if (pid <= 0) throw new IllegalStateException("no pid in the verbose status of " + containerId + ": " + info.keySet());
        return pid;
    }

    private static String firstString(byte[] msg, int field) {
        Proto.Reader r = new Proto.Reader(msg);
        while (r.next()) if (r.field() == field && r.wire() == Proto.LEN) return r.string();
        throw new IllegalStateException("no field " + field + " in the answer");
    }

    // ---------------------------------------------------------------- cleanup

    @Override
    public void close() throws Exception {
        try {
            if (daemon != null && daemon.isAlive()) {
                for (String p : pods) {
                    try {
                        cri.call("StopPodSandbox", new Proto.Writer().string(1, p).toBytes());
                        cri.call("RemovePodSandbox", new Proto.Writer().string(1, p).toBytes());
                    } catch (IOException ignored) {
                        // what is left is killed below
                    }
                }
            }
            cri.close();
            if (daemon != null) {
                daemon.destroy();
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // its shims (their arguments name our socket), then whatever still runs in our pods' cgroups
            String me = dir.toString();
            ProcessHandle.allProcesses()
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(me)).orElse(false))
                    .forEach(h -> {
                        h.destroyForcibly();
                        try { h.onExit().get(5, TimeUnit.SECONDS); } catch (Exception ignored) { }
                    });
            removeCgroups();
            if (podBridge != null) new ProcessBuilder("ip", "link", "del", podBridge).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } finally {
            DockerEngine.unmountAndDelete(dir);
        }
    }

    private volatile String podBridge;

    /**
     * A CNI network for pods with network POD (Debian's containernetworking-plugins): a bridge of this name with no
     * address on the host (no gateway, no masquerading: nothing routes to it) and addresses from {@code subnet}.
     * The bridge is deleted at {@link #close()}.
     */
    void enablePodNetwork(String bridge, String subnet) throws Exception {
        Path plugins = Path.of("/usr/lib/cni");
        if (!Files.isExecutable(plugins.resolve("bridge"))) {
            if (!DockerEngine.required()) unusable("no CNI plugins in " + plugins + " (VIGIL_REQUIRE_KERNEL=1 installs containernetworking-plugins)");
            String cmd = "export DEBIAN_FRONTEND=noninteractive; "
                    + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends containernetworking-plugins "
                    + "|| { apt-get update -q -o DPkg::Lock::Timeout=300 && "
                    + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends containernetworking-plugins; }";
            DockerEngine.Result r = DockerEngine.run(List.of("sh", "-c", cmd), 900);
            if (r.code() != 0 || !Files.isExecutable(plugins.resolve("bridge"))) {
                unusable("apt-get install containernetworking-plugins failed (" + r.code() + "): " + DockerEngine.tail(r.out()));
            }
        }
        for (String p : new String[] {"bridge", "host-local", "loopback"}) {
            Path link = dir.resolve("cni-bin").resolve(p);
            if (!Files.exists(link)) Files.createSymbolicLink(link, plugins.resolve(p));
        }
        podBridge = bridge;
        Files.writeString(dir.resolve("cni-conf").resolve("10-vigil.conflist"), """
                {"cniVersion": "0.4.0", "name": "vigil-test", "plugins": [{"type": "bridge", "bridge": "%s",
                  "isGateway": false, "ipMasq": false,
                  "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "dataDir": "%s"}}]}
                """.formatted(bridge, subnet, dir.resolve("cni-ipam")));
    }

    /** Kills what is left in our cgroup parent (every hierarchy) and removes the cgroups, deepest first. */
    private void removeCgroups() throws Exception {
        try (Stream<Path> hier = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hier.toList()) {
                Path top = Path.of(h + cgroupParent);
                if (!Files.isDirectory(top)) continue;
                List<Path> dirs;
                try (Stream<Path> w = Files.walk(top)) {
                    dirs = w.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
                }
                for (Path d : dirs) {
                    Path procs = d.resolve("cgroup.procs");
                    if (Files.exists(procs)) {
                        for (String pid : Files.readAllLines(procs)) {
                            if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                }
                Thread.sleep(100);
                for (Path d : dirs) {
                    try { Files.deleteIfExists(d); } catch (IOException ignored) { }
                }
                // the shared /kubepods/besteffort parents only when empty (rmdir fails otherwise)
                for (Path p = top.getParent(); p != null && p.startsWith(h) && !p.equals(h); p = p.getParent()) {
                    try { Files.deleteIfExists(p); } catch (IOException notEmpty) { break; }
                }
            }
        }
    }
}
