package dev.vigil.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A running container's cgroup v2 directory, from its id (or a unique prefix of it) or its name: what the
 * tools' {@code --container ID|NAME} filters on in the kernel (a cgroup array, like {@code -c}). Ids are
 * found in the cgroup tree itself (any runtime {@link ContainerId} recognises); names, and ids the tree
 * does not show, are asked of the Docker Engine (its socket from {@code DOCKER_HOST=unix://...}, else
 * /var/run/docker.sock).
 */
public final class ContainerCgroups {
    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{3,64}");
    private static final long TIMEOUT_NS = 2_000_000_000L;
    private static final int MAX_DEPTH = 8;

    private ContainerCgroups() {}

    /** Where the cgroup v2 hierarchy is mounted (e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified). */
    public static Path v2Mount() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int sep = l.indexOf(" - ");
                if (sep > 0 && l.substring(sep + 3).startsWith("cgroup2 ")) {
                    return Path.of(l.split(" ")[4]);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        throw new IllegalArgumentException("no cgroup v2 hierarchy is mounted (container filters need one)");
    }

    /** Docker's socket as the docker CLI finds it: DOCKER_HOST=unix://PATH, else /var/run/docker.sock. */
    public static Path dockerSocket() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://")) {
            return Path.of(host.substring("unix://".length()));
        }
        return ContainerResolver.Options.DEFAULT_DOCKER_SOCKET;
    }

    /**
     * The cgroup v2 directory of the running container {@code idOrName}; IllegalArgumentException with one
     * line saying why when there is none (or the prefix names several).
     */
    public static Path find(String idOrName, Path dockerSocket) {
        Path mount = v2Mount();
        if (HEX_PREFIX.matcher(idOrName).matches()) {
            Path byId = findById(mount, idOrName);
            if (byId != null) {
                return byId;
            }
        }
        return askDocker(mount, idOrName, dockerSocket);
    }

    private static Path findById(Path mount, String prefix) {
        Map<String, Path> found = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.walk(mount, MAX_DEPTH)) {
            dirs.filter(Files::isDirectory).forEach(d -> {
                ContainerId id = ContainerId.parse("/" + mount.relativize(d));
                // the outermost directory of a container: its init.scope and the like sit below it
                if (id != null && id.fullId().startsWith(prefix)) {
                    found.merge(id.fullId(), d, (a, b) -> a.getNameCount() <= b.getNameCount() ? a : b);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return null; // a cgroup removed while walking: let Docker answer
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("--container " + prefix + ": the id prefix matches " + found.size()
                    + " containers; give more of the id");
        }
        return found.values().stream().findFirst().orElse(null);
    }

    private static Path askDocker(Path mount, String idOrName, Path socket) {
        String where = " (asked Docker at " + socket + ")";
        if (!Files.exists(socket)) {
            throw new IllegalArgumentException("--container " + idOrName + ": no container with that id in the cgroup tree,"
                    + " and no Docker Engine at " + socket + " to ask for the name (set DOCKER_HOST=unix://PATH)");
        }
        JsonNode c;
        try {
            UnixHttp.Response r = new UnixHttp(socket, TIMEOUT_NS, 4 * 1024 * 1024)
                    .get("/containers/" + URLEncoder.encode(idOrName, StandardCharsets.UTF_8) + "/json");
            if (r.status() == 404) {
                throw new IllegalArgumentException("--container " + idOrName + ": no such container" + where);
            }
            if (r.status() != 200) {
                throw new IllegalArgumentException("--container " + idOrName + ": Docker answered HTTP " + r.status() + where);
            }
            c = new ObjectMapper().readTree(r.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("--container " + idOrName + ": cannot ask Docker: " + e.getMessage() + where);
        }
        int pid = c.path("State").path("Pid").asInt(0);
        if (pid <= 0) {
            throw new IllegalArgumentException("--container " + idOrName + ": the container is not running" + where);
        }
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
                if (l.startsWith("0::")) {
                    Path dir = Path.of(mount + l.substring(3));
                    if (l.substring(3).equals("/")) {
                        break; // the container's init sits at the v2 root: nothing to filter on
                    }
                    return dir;
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--container " + idOrName + ": its process " + pid + " is gone" + where);
        }
        throw new IllegalArgumentException("--container " + idOrName + ": its processes have no cgroup v2 directory of their own");
    }
}
