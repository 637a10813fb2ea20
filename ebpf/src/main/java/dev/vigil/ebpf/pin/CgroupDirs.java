package dev.vigil.ebpf.pin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finds a cgroup v2 folder by its id (the folder's inode number), under the cgroup2 mount. */
final class CgroupDirs {
    private CgroupDirs() {}

    static Path mount() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = l.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) return Path.of(f[1]);
            }
        } catch (IOException e) {
            // none
        }
        return null;
    }

    static Path byId(long id) {
        Path root = mount();
        if (root == null) return null;
        try (Stream<Path> s = Files.walk(root, 8)) {
            return s.filter(Files::isDirectory).filter(p -> inode(p) == id).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
