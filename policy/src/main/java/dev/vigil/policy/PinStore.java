package dev.vigil.policy;

import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.ebpf.pin.PinnedMap;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where enforcement state is pinned: one folder per policy kind under the root, {@code /sys/fs/bpf/vigil} unless the
 * configuration ({@code policy.pin_root}) or the environment ({@code VIGIL_BPF_PIN_ROOT}, for tests:
 * {@code /sys/fs/bpf/vigil-test-<unique>}) says otherwise. It is the one thing of Vigil that stays in the kernel
 * after the agent exits, so that protection survives a crash; {@link #remove} takes it away.
 */
public record PinStore(Path root) {
    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/bpf/vigil");
    public static final String ENV = "VIGIL_BPF_PIN_ROOT";

    /** The configured root if given (non-blank), else the environment's, else the default. */
    public static PinStore resolve(String configured) {
        if (configured != null && !configured.isBlank()) return new PinStore(Path.of(configured));
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return new PinStore(Path.of(env));
        return new PinStore(DEFAULT_ROOT);
    }

    public PinDirectory forKind(PolicyKind<?> kind) {
        return new PinDirectory(root.resolve(kind.pinName()));
    }

    /** Pins left by an earlier run, per kind folder (only folders that hold any). */
    public Map<String, List<Path>> pinned() {
        Map<String, List<Path>> out = new LinkedHashMap<>();
        for (Path p : new PinDirectory(root).pins()) {
            Path rel = root.relativize(p);
            String kind = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
            out.computeIfAbsent(kind, k -> new java.util.ArrayList<>()).add(p);
        }
        return out;
    }

    /**
     * Unpins everything under the root; the number of pins removed. A kind whose kernel side refuses others the removal
     * of its pins (EnforcementPolicy's self-protection, BPF LSM) pins a one-entry map named {@value #UNLOCK}: it is set
     * first, which lifts that protection (the kernel reports it), so an operator can always take the state away.
     */
    public int remove() {
        for (Path p : new PinDirectory(root).pins()) {
            if (!p.getFileName().toString().equals(UNLOCK)) continue;
            try (PinnedMap m = PinnedMap.open(p)) {
                m.update(PinnedMap.u32(0), PinnedMap.u32(1));
            } catch (RuntimeException e) {
                System.err.println("vigil: policy: cannot write the unlock map " + p + ": " + e.getMessage());
            }
        }
        return new PinDirectory(root).removeAll();
    }

    /** The pin name of a kind's unlock map. */
    public static final String UNLOCK = "unlock";
}
