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

    /** The path of a cgroup id, or null when unknown. */
    String path(long id) {
        if (root == null || id == 0) return null;
        String p = byId.get(id);
        if (p == null && System.nanoTime() - lastScan > 1_000_000_000L) {
            scan();
            p = byId.get(id);
        }
        return p;
    }

    List<String> known() { return List.copyOf(byId.values()); }
}
