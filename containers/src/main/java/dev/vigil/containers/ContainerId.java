package dev.vigil.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's identity as read from a process's cgroup path: the runtime and the 64-hex id.
 *
 * <p>Recognised path components (anywhere in the path; the innermost match wins, so
 * {@code /docker/<id>/init.scope} and podman's {@code libpod-<id>.scope/container} are the container):
 * <ul>
 *   <li>Docker, cgroupfs driver: a component {@code docker} followed by a {@code <64 hex>} component</li>
 *   <li>Docker, systemd driver: {@code docker-<64 hex>.scope}</li>
 *   <li>containerd CRI: {@code cri-containerd-<64 hex>.scope}</li>
 *   <li>CRI-O: {@code crio-<64 hex>.scope} (not {@code crio-conmon-<id>.scope}, the monitor on the host)</li>
 *   <li>podman: {@code libpod-<64 hex>.scope} and {@code libpod-<64 hex>} (cgroupfs driver; not
 *       {@code libpod-conmon-...})</li>
 *   <li>Kubernetes cgroupfs driver: a {@code <64 hex>} component below a {@code kubepods} component (runtime
 *       "cri": which CRI runtime is not in the path)</li>
 *   <li>containerd's CRI with no cgroup parent (cgroupfs driver): {@code k8s.io/<64 hex>} (its namespace)</li>
 * </ul>
 * Everything else is the host, whatever the path holds: {@code /}, {@code /user.slice/...},
 * {@code /system.slice/docker.service} (the daemon itself), and this sandbox's {@code /process_api/<32 hex>}.
 *
 * <p>{@link #parse} allocates nothing for host paths, and only the id string for a container.
 */
public final class ContainerId {
    public static final String DOCKER = "docker", CONTAINERD = "containerd", CRIO = "cri-o", PODMAN = "podman",
            CRI = "cri";

    private static final int ID_LEN = 64, SHORT_LEN = 12;

    private final String runtime, fullId, shortId;

    private ContainerId(String runtime, String fullId) {
        this.runtime = runtime;
        this.fullId = fullId;
        this.shortId = fullId.substring(0, SHORT_LEN);
    }

    /** An id known from elsewhere (the runtime's event stream, its container list). */
    public static ContainerId of(String runtime, String fullId) {
        if (runtime == null || fullId == null || !isHexId(fullId, 0, fullId.length())) {
            throw new IllegalArgumentException("not a 64-hex container id: " + fullId);
        }
        return new ContainerId(runtime, fullId);
    }

    /** The runtime type: {@link #DOCKER}, {@link #CONTAINERD}, {@link #CRIO}, {@link #PODMAN} or {@link #CRI}. */
    public String runtime() { return runtime; }
    /** The 64-hex id. */
    public String fullId() { return fullId; }
    /** Falco's short id: the first 12 characters. */
    public String shortId() { return shortId; }

    /** The container a cgroup path belongs to, or null for the host. */
    public static ContainerId parse(CharSequence path) {
        if (path == null) return null;
        int n = path.length();
        ContainerId found = null;
        int prevStart = -1, prevEnd = -1; // the previous component
        boolean kubepods = false;
        int start = 0;
        while (start <= n) {
            int end = start;
            while (end < n && path.charAt(end) != '/') end++;
            int len = end - start;
            if (len > 0) {
                ContainerId c = component(path, start, end, prevStart, prevEnd, kubepods);
                if (c != null) found = c;
                if (!kubepods && startsWith(path, start, end, "kubepods")) kubepods = true;
                prevStart = start;
                prevEnd = end;
            }
            start = end + 1;
        }
        return found;
    }

    private static ContainerId component(CharSequence p, int s, int e, int ps, int pe, boolean kubepods) {
        int len = e - s;
        if (len == ID_LEN) {
            if (!isHexId(p, s, e)) return null;
            if (ps >= 0 && equalsAt(p, ps, pe, "docker")) return new ContainerId(DOCKER, sub(p, s, e));
            if (ps >= 0 && equalsAt(p, ps, pe, "k8s.io")) return new ContainerId(CONTAINERD, sub(p, s, e));
            if (kubepods) return new ContainerId(CRI, sub(p, s, e));
            return null;
        }
        if (len < ID_LEN + 5) return null;
        char c0 = p.charAt(s);
        if (c0 == 'd') return prefixed(p, s, e, "docker-", ".scope", false, DOCKER);
        if (c0 == 'c') {
            ContainerId c = prefixed(p, s, e, "cri-containerd-", ".scope", false, CONTAINERD);
            if (c == null) c = prefixed(p, s, e, "crio-", ".scope", false, CRIO);
            return c;
        }
        if (c0 == 'l') return prefixed(p, s, e, "libpod-", ".scope", true, PODMAN);
        return null;
    }

    /** {@code prefix<64 hex>suffix}; with suffixOptional also {@code prefix<64 hex>}. */
    private static ContainerId prefixed(CharSequence p, int s, int e, String prefix, String suffix,
                                        boolean suffixOptional, String runtime) {
        int idStart = s + prefix.length(), idEnd = idStart + ID_LEN;
        if (idEnd > e || !startsWith(p, s, e, prefix)) return null;
        boolean exact = idEnd == e && (suffix.isEmpty() || suffixOptional);
        boolean withSuffix = !suffix.isEmpty() && e - idEnd == suffix.length() && equalsAt(p, idEnd, e, suffix);
        if (!exact && !withSuffix) return null;
        if (!isHexId(p, idStart, idEnd)) return null;
        return new ContainerId(runtime, sub(p, idStart, idEnd));
    }

    private static boolean isHexId(CharSequence p, int s, int e) {
        if (e - s != ID_LEN) return false;
        for (int i = s; i < e; i++) {
            char c = p.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    private static boolean startsWith(CharSequence p, int s, int e, String prefix) {
        if (e - s < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (p.charAt(s + i) != prefix.charAt(i)) return false;
        return true;
    }

    private static boolean equalsAt(CharSequence p, int s, int e, String str) {
        return e - s == str.length() && startsWith(p, s, e, str);
    }

    private static String sub(CharSequence p, int s, int e) {
        return p instanceof String str ? str.substring(s, e) : p.subSequence(s, e).toString();
    }

    /**
     * The container of a {@code /proc/<pid>/cgroup} file's content (all hierarchies, v1 and v2: a container
     * found in any line wins), or null for the host.
     */
    public static ContainerId fromProcCgroup(CharSequence content) {
        int n = content.length(), start = 0;
        while (start < n) {
            int end = start;
            while (end < n && content.charAt(end) != '\n') end++;
            // hierarchy-id:controllers:path (the path may itself hold ':')
            int c1 = -1, c2 = -1;
            for (int i = start; i < end; i++) {
                if (content.charAt(i) == ':') {
                    if (c1 < 0) c1 = i;
                    else { c2 = i; break; }
                }
            }
            if (c2 > 0) {
                ContainerId id = parse(content.subSequence(c2 + 1, end));
                if (id != null) return id;
            }
            start = end + 1;
        }
        return null;
    }

    /** The container of a live process from {@code /proc/<pid>/cgroup}, or null for the host (or a gone pid). */
    public static ContainerId ofPid(int pid) {
        try {
            return fromProcCgroup(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerId c && c.fullId.equals(fullId) && c.runtime.equals(runtime);
    }

    @Override
    public int hashCode() { return fullId.hashCode(); }

    @Override
    public String toString() { return runtime + "://" + fullId; }
}
