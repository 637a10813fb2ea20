package dev.vigil.ebpf.pin;

import dev.vigil.ebpf.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of pins in bpffs that one owner keeps (e.g. /sys/fs/bpf/vigil): what is pinned in it survives the owner,
 * and {@link #removeAll} takes everything away (links detach as their pins go).
 */
public record PinDirectory(Path root) {
    public PinDirectory {
        root = root.toAbsolutePath().normalize();
    }

    /** Checks bpffs and creates the folder. */
    public PinDirectory create() {
        Pins.requireBpffs(root);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new BpfException("cannot create pin folder " + root + ": " + e.getMessage());
        }
        return this;
    }

    public boolean exists() {
        return Files.isDirectory(root);
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** Every pin under the folder (files, not folders), sorted. */
    public List<Path> pins() {
        if (!exists()) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new BpfException("cannot list pins under " + root + ": " + e.getMessage());
        }
    }

    /** What is pinned at path (UNKNOWN when it cannot be opened). */
    public static Pins.Kind kindAt(Path path) {
        try {
            int fd = Pins.open(path, null);
            try {
                return Pins.kindOf(fd);
            } finally {
                dev.vigil.ebpf.internal.Libc.close(fd);
            }
        } catch (BpfException e) {
            return Pins.Kind.UNKNOWN;
        }
    }

    /**
     * Unpins everything under the folder, links first (so no program runs against half-removed maps), then the
     * folder itself, and returns once the links are detached (or 5 s passed). Returns how many pins were removed. Refuses a folder that is not on bpffs.
     */
    public int removeAll() {
        if (!exists()) {
            return 0;
        }
        Pins.requireBpffs(root);
        List<Path> all = pins();
        List<Path> links = all.stream().filter(p -> kindAt(p) == Pins.Kind.LINK).toList();
        List<Path> ordered = Stream.concat(links.stream(), all.stream().filter(p -> !links.contains(p))).toList();
        List<PinnedLink.Attachment> attached = new java.util.ArrayList<>();
        for (Path l : links) {
            try (PinnedLink link = PinnedLink.open(l)) {
                attached.add(link.attachment());
            } catch (BpfException e) {
                // unpinned anyway below
            }
        }
        int n = 0;
        for (Path p : ordered) {
            if (Pins.unpin(p)) n++;
        }
        // the kernel detaches an unpinned link later (RCU, then deferred work): return once they are detached
        for (PinnedLink.Attachment a : attached) {
            PinnedLink.awaitDetached(a, java.time.Duration.ofSeconds(5));
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path d : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(d);
            }
        } catch (IOException e) {
            throw new BpfException("cannot remove pin folder " + root + ": " + e.getMessage());
        }
        return n;
    }
}
