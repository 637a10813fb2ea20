package dev.vigil.containers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Docker Engine for tests: installs Debian's docker.io when dockerd is missing (as root), starts dockerd
 * with its own data root, exec root, pidfile and socket in a temporary folder ({@code --iptables=false
 * --bridge=none}), imports a busybox-static image, and on {@link #close()} removes every container, stops the
 * daemon by its pidfile, ends what it left behind, unmounts and deletes the folder.
 *
 * <p>Gate: where this cannot run (not root, no engine), the test is skipped, unless VIGIL_REQUIRE_KERNEL=1 (CI):
 * there docker.io is installed when missing, and anything that stops the engine fails the test (as KernelTests
 * does for the kernel).
 *
 * <p>This sandbox's capability bounding set lacks CAP_SYS_RESOURCE, which makes runc fail on
 * {@code --privileged} (it asks for every capability). When the bounding set lacks capabilities, the engine's
 * default runtime is a wrapper that removes those from the OCI bundle's config.json and runs the real runc: the
 * container is still privileged for Docker (HostConfig.Privileged), which is what Vigil reads.
 */
public final class DockerEngine implements AutoCloseable {
    public static final String IMAGE = "vigil-busybox:1";
    private static final String[] CAPS = {"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
            "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
            "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
            "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
            "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"};

    public final Path dir, socket, pidfile, log;
    private final String docker;
    private Process daemon;

    static boolean required() {
        return "1".equals(System.getenv("VIGIL_REQUIRE_KERNEL"));
    }

    static void unusable(String why) {
        if (required()) Assertions.fail("VIGIL_REQUIRE_KERNEL=1 but no Docker Engine can run here: " + why);
        Assumptions.abort("no Docker Engine here: " + why);
    }

    /** Installs (when needed) and starts an engine, or skips/fails per the gate. */
    public static DockerEngine start() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) unusable("not root");
        if (find("dockerd") == null) {
            // installing packages is for CI (VIGIL_REQUIRE_KERNEL=1); elsewhere a missing engine skips
            if (!required()) unusable("dockerd not installed (VIGIL_REQUIRE_KERNEL=1 installs docker.io)");
            install();
        }
        if (find("dockerd") == null || find("docker") == null) unusable("dockerd/docker not found after installing docker.io");
        DockerEngine e = new DockerEngine(Files.createTempDirectory(Path.of("/tmp"), "vigil-docker."));
        try {
            e.launch();
            e.importImage();
            return e;
        } catch (Exception | AssertionError ex) {
            e.close();
            throw ex;
        }
    }

    static String find(String name) {
        for (String d : new String[] {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
            if (Files.isExecutable(Path.of(d, name))) return d + "/" + name;
        }
        return null;
    }

    private static void install() throws Exception {
        if (find("apt-get") == null) unusable("dockerd missing and no apt-get");
        String cmd = "export DEBIAN_FRONTEND=noninteractive; "
                + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends docker.io "
                + "|| { apt-get update -q -o DPkg::Lock::Timeout=300 && "
                + "apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends docker.io; }";
        Result r = run(List.of("sh", "-c", cmd), 900);
        if (r.code != 0) unusable("apt-get install docker.io failed (" + r.code + "): " + tail(r.out));
    }

    private DockerEngine(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("docker.sock");
        this.pidfile = dir.resolve("dockerd.pid");
        this.log = dir.resolve("dockerd.log");
        this.docker = find("docker");
    }

    private void launch() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(find("dockerd"), "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", pidfile.toString(),
                "-H", "unix://" + socket, "--iptables=false", "--ip-masq=false", "--bridge=none"));
        String wrapper = runcWrapper(dir);
        if (wrapper != null) cmd.addAll(List.of("--add-runtime", "vigil-runc=" + wrapper, "--default-runtime", "vigil-runc"));
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + 60_000_000_000L;
        UnixHttp http = new UnixHttp(socket, 1_000_000_000L, 1 << 20);
        while (true) {
            if (!daemon.isAlive()) throw new IllegalStateException("dockerd exited: " + tail(Files.readString(log)));
            try {
                if (Files.exists(socket) && http.get("/_ping").status() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            if (System.nanoTime() > end) throw new IllegalStateException("dockerd did not answer in 60 s: " + tail(Files.readString(log)));
            Thread.sleep(50);
        }
    }

    /**
     * The runc wrapper (written into dir) dropping the capabilities the bounding set lacks, or null when none is
     * missing. Also used by {@link ContainerdEngine}.
     */
    static String runcWrapper(Path dir) throws IOException {
        long bnd = 0;
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("CapBnd:")) bnd = Long.parseUnsignedLong(l.substring(7).trim(), 16);
        }
        StringBuilder sed = new StringBuilder();
        for (int i = 0; i < CAPS.length; i++) {
            if ((bnd & (1L << i)) == 0) {
                String c = "CAP_" + CAPS[i];
                sed.append(" -e 's/\"").append(c).append("\",[[:space:]]*//g' -e 's/,[[:space:]]*\"").append(c).append("\"//g'");
            }
        }
        String runc = find("runc");
        if (sed.isEmpty() || runc == null) return null;
        Path w = dir.resolve("runc-wrapper");
        Files.writeString(w, """
                #!/bin/sh
                # drops the capabilities this machine's bounding set lacks from the OCI bundle, then runs runc
                prev=""
                for a in "$@"; do
                  if [ "$prev" = "--bundle" ] || [ "$prev" = "-b" ]; then
                    [ -f "$a/config.json" ] && sed -i%s "$a/config.json"
                  fi
                  prev="$a"
                done
                exec %s "$@"
                """.formatted(sed, runc));
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return w.toString();
    }

    private void importImage() throws Exception {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Path busybox = Path.of("/bin/busybox");
        if (!Files.exists(busybox)) {
            Result r = run(List.of("sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends busybox-static"), 600);
            if (r.code != 0) unusable("busybox-static missing and not installable: " + tail(r.out));
        }
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String c : new String[] {"sh", "sleep", "cat", "ls", "echo", "true", "id"}) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(c), Path.of("busybox"));
        }
        Result r = run(List.of("sh", "-c", "tar -C " + rootfs + " -c . | " + docker + " -H unix://" + socket + " import - " + IMAGE), 120);
        if (r.code != 0) throw new IllegalStateException("docker import: " + r.out);
    }

    record Result(int code, String out) {}

    /** Runs the docker CLI against this engine; fails the test on a non-zero exit. */
    public String docker(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(docker, "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        Result r = run(cmd, 120);
        if (r.code != 0) throw new AssertionError("docker " + String.join(" ", args) + " -> " + r.code + ": " + r.out);
        String out = r.out.strip();
        // docker run -d prints the new id; the output here has the CLI's stderr in it too, and under load that can be
        // a line like 'error waiting for container: context canceled' beside the id (exit 0)
        if (args.length > 0 && args[0].equals("run")) return out.lines().filter(l -> l.matches("[0-9a-f]{64}")).findFirst().orElse(out);
        return out;
    }

    static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    @Override
    public void close() throws Exception {
        try {
            if (daemon != null && daemon.isAlive()) {
                try {
                    String ids = docker("ps", "-aq");
                    if (!ids.isBlank()) {
                        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                        rm.addAll(List.of(ids.split("\\s+")));
                        docker(rm.toArray(String[]::new));
                    }
                } catch (Exception | AssertionError ignored) {
                    // stopping the daemon stops them too
                }
            }
            long pid = -1;
            if (Files.exists(pidfile)) pid = Long.parseLong(Files.readString(pidfile).trim());
            else if (daemon != null) pid = daemon.pid();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(30, TimeUnit.SECONDS);
                    } catch (Exception timeout) {
                        h.destroyForcibly();
                    }
                });
            }
            // what our daemon started and left behind (its containerd, shims): found by our folder in their args
            String me = dir.toString();
            ProcessHandle.allProcesses()
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(me)).orElse(false)
                            || h.info().command().map(c -> c.contains(me)).orElse(false))
                    .forEach(h -> {
                        h.destroyForcibly();
                        try { h.onExit().get(5, TimeUnit.SECONDS); } catch (Exception ignored) { }
                    });
        } finally {
            unmountAndDelete(dir);
        }
    }

    /** Lazily unmounts everything under dir (deepest first, a few rounds for stacked mounts), then deletes it. */
    static void unmountAndDelete(Path dir) throws Exception {
        String me = dir.toString();
        for (int round = 0; round < 5; round++) {
            List<String> points = new ArrayList<>();
            for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = l.split(" ");
                if (f.length > 4 && (f[4].equals(me) || f[4].startsWith(me + "/"))) points.add(f[4]);
            }
            if (points.isEmpty()) break;
            points.sort(Comparator.comparingInt(String::length).reversed());
            for (String p : points) run(List.of("umount", "-l", p), 30);
        }
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try { Files.deleteIfExists(p); } catch (IOException ignored) { }
                });
            }
        }
    }
}
