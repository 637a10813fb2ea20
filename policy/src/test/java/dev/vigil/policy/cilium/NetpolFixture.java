package dev.vigil.policy.cilium;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.containers.DockerEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the network policy tests stand on: a Docker engine of their own, a cgroup parent of their own
 * ({@code --cgroup-parent=/vigil-test-<unique>}, where the programs attach: nothing else on the machine is
 * affected), a pin root of their own, and per container a veth pair whose other end is a test host in a netns the
 * test creates, with TEST-NET addresses: the host 203.0.113.1 (and .129), the container 203.0.113.2.
 */
public final class NetpolFixture implements AutoCloseable {
    public static final String HOST = "203.0.113.1", HOST2 = "203.0.113.129", CONTAINER = "203.0.113.2";

    public final DockerEngine docker;
    public final String unique = UUID.randomUUID().toString().substring(0, 8);
    public final String cgroupParent = "vigil-test-" + unique;
    public final Path cgroupRoot = Path.of("/sys/fs/cgroup/unified", cgroupParent);
    public final Path pinRoot = Path.of("/sys/fs/bpf/vigil-test-" + unique);
    private final List<String> netns = new ArrayList<>();
    private int links;

    public NetpolFixture() throws Exception {
        docker = DockerEngine.start();
        Files.createDirectories(cgroupRoot);
    }

    /** A container with these labels (k=v), network none, a veth to its own test host; returns its 64-hex id. */
    public Box start(String... labels) throws Exception {
        return start(true, List.of("/bin/sleep", "600"), labels);
    }

    public Box start(boolean detach, List<String> command, String... labels) throws Exception {
        return started(create(command, labels));
    }

    /** {@code docker create}: the container exists (Docker's create event, labels known) but runs nothing yet. */
    public String create(List<String> command, String... labels) throws Exception {
        List<String> args = new ArrayList<>(List.of("create", "--network", "none", "--cgroup-parent", "/" + cgroupParent));
        for (String l : labels) args.addAll(List.of("--label", l));
        args.add(DockerEngine.IMAGE);
        args.addAll(command);
        return docker.docker(args.toArray(String[]::new));
    }

    /** {@code docker start} of a created container. */
    public Box started(String id) throws Exception {
        docker.docker("start", id);
        return new Box(id);
    }

    /** One container and its test host. */
    public final class Box {
        public final String id;
        public final String ns;
        public final long pid;

        Box(String id) throws Exception {
            this.id = id;
            this.pid = Long.parseLong(docker.docker("inspect", "-f", "{{.State.Pid}}", id));
            this.ns = "vt" + unique + (links++);
            netns.add(ns);
        }

        /** Creates the test host's netns and the veth between it and the container. */
        public Box wire() throws Exception {
            String a = ns + "a", b = ns + "b";
            sh("ip netns add " + ns);
            sh("ip link add " + a + " type veth peer name " + b);
            sh("ip link set " + a + " netns " + ns);
            sh("ip link set " + b + " netns " + pid);
            sh("ip -n " + ns + " addr add " + HOST + "/24 dev " + a);
            sh("ip -n " + ns + " addr add " + HOST2 + "/24 dev " + a);
            sh("ip -n " + ns + " link set " + a + " up");
            sh("ip -n " + ns + " link set lo up");
            sh("nsenter -t " + pid + " -n ip addr add " + CONTAINER + "/24 dev " + b);
            sh("nsenter -t " + pid + " -n ip link set " + b + " up");
            return this;
        }

        public Path cgroup() {
            return cgroupRoot.resolve(id);
        }

        /**
         * Runs a bash command as a process of the container (its cgroup and netns), with the host's bash for
         * /dev/tcp and /dev/udp. Returns exit code and output (stdout+stderr).
         */
        public Result inContainer(String command) throws Exception {
            return run("echo $$ > " + cgroup().resolve("cgroup.procs") + " && exec nsenter -t " + pid + " -n -- bash -c '"
                    + command.replace("'", "'\\''") + "'");
        }

        /** A TCP connect from the container: "refused" (allowed: the test host answers RST), "EPERM", or the text. */
        public String connect(String host, int port) throws Exception {
            Result r = inContainer("exec 3<>/dev/tcp/" + host + "/" + port);
            return verdict(r);
        }

        /** A UDP datagram from the container (bash connects the UDP socket): "sent", "EPERM", or the text. */
        public String udp(String host, int port) throws Exception {
            Result r = inContainer("echo x > /dev/udp/" + host + "/" + port);
            return r.code == 0 ? "sent" : verdict(r);
        }

        /** A TCP connect from the test host to the container: "refused" (it got in), "timeout" (dropped). */
        public String connectIn(int port) throws Exception {
            Result r = run("ip netns exec " + ns + " timeout 2 bash -c 'exec 3<>/dev/tcp/" + CONTAINER + "/" + port + "'");
            if (r.code == 124) return "timeout";
            return verdict(r);
        }

        /** A TCP listener in the container (busybox nc, echoing), returning once it listens. */
        public void listen(int port) throws Exception {
            docker.docker("exec", "-d", id, "/bin/busybox", "nc", "-ll", "-p", String.valueOf(port), "-e", "/bin/cat");
            String hex = String.format(":%04X ", port); // a local port, in /proc/net/tcp or tcp6, state 0A (LISTEN)
            long end = System.nanoTime() + 10_000_000_000L;
            while (run("nsenter -t " + pid + " -n cat /proc/net/tcp /proc/net/tcp6").out.lines()
                    .noneMatch(l -> l.contains(hex) && l.contains(":0000 0A "))) {
                assertThat(System.nanoTime()).as("listening on %d", port).isLessThan(end);
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        }

        /** The test host sends from .129 instead of .1 from now on. */
        public void hostSourceSecond() throws Exception {
            sh("ip -n " + ns + " route replace " + CONTAINER + "/32 dev " + ns + "a src " + HOST2);
        }
    }

    static String verdict(Result r) {
        if (r.out.contains("Connection refused")) return "refused";
        if (r.out.contains("Operation not permitted")) return "EPERM";
        if (r.code == 0) return "connected";
        return r.out.strip();
    }

    public record Result(int code, String out) {}

    public static Result run(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(command).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static void sh(String command) throws Exception {
        Result r = run(command);
        if (r.code != 0) throw new AssertionError(command + " -> " + r.code + ": " + r.out);
    }

    @Override
    public void close() throws Exception {
        try {
            docker.close();
        } finally {
            for (String n : netns) run("ip netns del " + n + " 2>/dev/null");
            for (String h : new String[] {"unified", "pids", "memory", "cpu", "cpuacct", "cpuset", "blkio", "devices", "freezer", "systemd"}) {
                Path p = Path.of("/sys/fs/cgroup", h, cgroupParent);
                if (Files.isDirectory(p)) run("rmdir " + p + " 2>/dev/null");
            }
        }
    }
}
