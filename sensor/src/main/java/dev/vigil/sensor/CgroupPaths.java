package dev.vigil.sensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cgroup v2 ids (what bpf_get_current_cgroup_id returns: the cgroup directory's inode number in the v2
 * hierarchy) to cgroup paths ("/system.slice/x.service"), by walking the v2 mount; the walk is repeated on an
 * unknown id at most once a second. Path "/" is the root (id 1).
 */
final class CgroupPaths {
    private final Path root;
    private final Map<Long, String> byId = new HashMap<>();
    private long lastScan;

    CgroupPaths(Path root) {
        this.root = root;
        if (root != null) scan();
    }

    /** The cgroup v2 mount point from /proc/self/mountinfo, or null. */
    static Path findV2Mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int sep = line.indexOf(" - ");
                if (sep < 0) continue;
                String[] tail = line.substring(sep + 3).split(" ");
                if (tail.length > 0 && tail[0].equals("cgroup2")) {
                    return Path.of(line.split(" ")[4]);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private void scan() {
        lastScan = System.nanoTime();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isDirectory).forEach(p -> {
                try {
                    long ino = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
                    String rel = "/" + root.relativize(p).toString();
                    byId.put(ino, rel.equals("/") ? "/" : rel);
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    // a cgroup removed during the walk
                }
            });
        } catch (IOException | RuntimeException e) {
            // unreadable hierarchy: ids stay unresolved
        }
    }

    /**
     * The path of a cgroup id, or null when unknown. An id never looked for before gets a walk at once (a new
     * cgroup: a container's first, possibly short-lived, process); an id already missed once is retried by the
     * walk at most once a second.
     */
    String path(long id) {
        if (root == null || id == 0) return null;
        String p = byId.get(id);
        if (p == null && (System.nanoTime() - lastScan > 1_000_000_000L || !missed.contains(id))) {
            scan();
            p = byId.get(id);
            if (p == null) {
                if (missed.size() >= MAX_MISSED) missed.clear();
                missed.add(id);
            }
        }
        return p;
    }

    private static final int MAX_MISSED = 4096;
    private final java.util.Set<Long> missed = new java.util.HashSet<>();

    /**
     * The path of a cgroup id, asking the process first on a miss: a new cgroup (a container just started) is
     * usually unknown when its first process's first event arrives, and the full walk runs at most once a second.
     * One read of /proc/PID/cgroup and one stat (the id must be that directory's inode), once per new cgroup.
     */
    String path(long id, long pid) {
        if (root == null || id == 0) return null;
        String p = byId.get(id);
        if (p != null) return p;
        if (pid > 0) {
            try {
                for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                    if (!l.startsWith("0::")) continue;
                    String rel = l.substring(3);
                    Path dir = rel.equals("/") ? root : root.resolve(rel.substring(1));
                    long ino = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
                    if (ino == id) {
                        byId.put(id, rel);
                        return rel;
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process or its cgroup is gone: the walk below may still know it
            }
        }
        return path(id);
    }

    List<String> known() { return List.copyOf(byId.values()); }
}
