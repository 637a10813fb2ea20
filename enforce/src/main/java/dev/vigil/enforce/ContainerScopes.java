package dev.vigil.enforce;

import dev.vigil.containers.ContainerId;
import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.ContainerResolver;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.enforce.policy.EnforcementPolicy.ContainerSelector;
import dev.vigil.events.ContainerView;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which containers each policy's containerSelector selects, told to the kernel by mount namespace (what the kernel
 * side keys containers by: it is set when the runtime creates the container, whatever the cgroup layout). A
 * background thread scans /proc every {@code SCAN_MS} for mount namespaces other than the host's, resolves their
 * container (the runtime's metadata: labels, name, image, pod), and writes the policy bits of the selectors that
 * match. A container is enforced from the scan after its start (at most SCAN_MS plus the runtime's answer): its
 * first processes can run before that.
 */
final class ContainerScopes implements AutoCloseable {
    static final long SCAN_MS = 250;

    private final Enforcer kernel;
    private final ContainerResolver resolver;
    private final long hostMntns;
    private final Map<Long, ContainerView> known = new HashMap<>();
    private final Map<Long, Long> written = new HashMap<>();
    private volatile List<EnforcementPolicy> policies = List.of();
    private volatile boolean closed;
    private final Thread thread;

    ContainerScopes(Enforcer kernel, Path dockerSocket, long hostMntns) {
        this(kernel, ContainerResolver.Options.defaults().withDockerSocket(dockerSocket).withWatchEvents(dockerSocket != null), hostMntns);
    }

    /** @param resolverOptions where the runtimes' metadata comes from (Docker, CRI sockets) */
    ContainerScopes(Enforcer kernel, ContainerResolver.Options resolverOptions, long hostMntns) {
        this.kernel = kernel;
        this.hostMntns = hostMntns;
        this.resolver = ContainerResolver.create(resolverOptions);
        this.thread = Thread.ofPlatform().daemon().name("vigil-enforce-containers").start(this::run);
    }

    /** The container of a mount namespace, as last resolved; null for the host or one not seen yet. */
    synchronized ContainerView containerOf(long mntns) {
        return known.get(mntns);
    }

    /** The policy set changed: selections are recomputed at once. */
    synchronized void policies(List<EnforcementPolicy> ps) {
        policies = List.copyOf(ps);
        refresh();
    }

    private void run() {
        while (!closed) {
            try {
                synchronized (this) {
                    if (policies.stream().anyMatch(p -> !p.containers().isEmpty())) scan();
                }
                Thread.sleep(SCAN_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("vigil: enforcement: container scan failed: " + e.getMessage());
            }
        }
    }

    /** Finds the mount namespaces of containers; forgets those gone. */
    private void scan() {
        Set<Long> seen = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                long pid = Long.parseLong(p.getFileName().toString());
                long mntns = Enforcer.mntnsOf(pid);
                if (mntns == 0 || mntns == hostMntns || !seen.add(mntns)) continue;
                ContainerView v = known.get(mntns);
                if (v == null || (v instanceof ContainerInfo ci && !ci.complete())) {
                    ContainerId cid = ContainerId.ofPid((int) pid);
                    if (cid == null) continue;
                    known.put(mntns, resolver.resolve(0, cgroupLine(pid, cid)));
                }
            }
        } catch (IOException e) {
            return;
        }
        known.keySet().retainAll(seen);
        refresh();
    }

    /** The /proc/PID/cgroup line that names the container (what the resolver parses). */
    private static String cgroupLine(long pid, ContainerId cid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) if (l.contains(cid.fullId())) return l.substring(l.lastIndexOf(':') + 1);
        } catch (IOException e) {
            // gone
        }
        return "/docker/" + cid.fullId();
    }

    private void refresh() {
        List<EnforcementPolicy> ps = policies;
        Map<Long, Long> next = new HashMap<>();
        known.forEach((mntns, v) -> {
            long mask = 0;
            for (int i = 0; i < ps.size(); i++) if (selects(ps.get(i).containers(), v)) mask |= 1L << i;
            if (mask != 0) next.put(mntns, mask);
        });
        for (Long gone : written.keySet()) if (!next.containsKey(gone)) kernel.selectContainer(gone, 0);
        next.forEach((mntns, mask) -> {
            if (!mask.equals(written.get(mntns))) kernel.selectContainer(mntns, mask);
        });
        written.clear();
        written.putAll(next);
    }

    /** Every part the selector gives must hold. */
    static boolean selects(ContainerSelector s, ContainerView v) {
        if (s.isEmpty() || !(v instanceof ContainerInfo ci) || !ci.complete()) return false;
        for (var l : s.matchLabels().entrySet()) if (!l.getValue().equals(ci.labels().get(l.getKey()))) return false;
        if (!s.names().isEmpty() && !s.names().contains(String.valueOf(ci.name()))) return false;
        if (!s.images().isEmpty() && s.images().stream().noneMatch(i -> imageMatches(i, ci))) return false;
        if (!s.pods().isEmpty() && !s.pods().contains(ci.labels().get("io.kubernetes.pod.name"))) return false;
        return s.namespaces().isEmpty() || s.namespaces().contains(ci.labels().get("io.kubernetes.pod.namespace"));
    }

    /** "repo:tag" exactly, "repo" (any tag), or a prefix ending in *. */
    static boolean imageMatches(String pattern, ContainerInfo ci) {
        String image = String.valueOf(ci.image()), repo = String.valueOf(ci.imageRepository());
        if (pattern.endsWith("*")) return image.startsWith(pattern.substring(0, pattern.length() - 1));
        return pattern.equals(image) || pattern.equals(repo);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        resolver.close();
    }
}
