package dev.vigil.ebpf.feature;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.internal.Errno;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.MapType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Learns what this kernel allows by loading tiny programs, one at a time, and attaching those whose
 * failure only shows at attach (kprobes without CONFIG_KPROBES, trampolines and LSM hooks blocked by
 * lockdown). The result is cached: probing takes a few tens of milliseconds.
 */
public final class FeatureProbe {
    private static final String OBJECT = "/bpf/feature_probe.bpf.o";
    private static volatile FeatureReport cached;

    private FeatureProbe() {}

    public static FeatureReport probe() {
        FeatureReport r = cached;
        if (r == null) {
            synchronized (FeatureProbe.class) {
                if (cached == null) {
                    cached = run();
                }
                r = cached;
            }
        }
        return r;
    }

    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    private static FeatureReport run() {
        byte[] elf;
        try (InputStream in = FeatureProbe.class.getResourceAsStream(OBJECT)) {
            if (in == null) {
                throw new BpfException("feature probe object " + OBJECT + " is not on the class path");
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<Feature, FeatureReport.Result> results = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            results.put(f, probeOne(f, elf));
        }
        return new FeatureReport(kernelRelease(), results);
    }

    private static FeatureReport.Result probeOne(Feature f, byte[] elf) {
        if (f.probe == Feature.Probe.MAP_TYPE) {
            int rc = LibBpf.probeMapType(MapType.RINGBUF.value());
            return rc == 1 ? new FeatureReport.Result(true, "")
                    : new FeatureReport.Result(false, rc == 0 ? "map type unknown to this kernel" : Errno.describe(rc));
        }
        try (BpfObject obj = BpfObject.open("feature_probe", elf)) {
            for (BpfProgram p : obj.programs()) {
                p.setAutoload(p.name().equals(f.program));
            }
            obj.load();
            if (f.probe == Feature.Probe.LOAD_ATTACH) {
                try (Link l = attach(f, obj.program(f.program))) {
                    // attached and detached at once: the hook exists and may be used
                }
            }
            return new FeatureReport.Result(true, "");
        } catch (BpfException e) {
            return new FeatureReport.Result(false, explain(f, e));
        }
    }

    private static Link attach(Feature f, BpfProgram p) {
        return switch (f) {
            case TRACEPOINT -> p.attachTracepoint("syscalls", "sys_enter_getppid");
            case RAW_TRACEPOINT -> p.attachRawTracepoint("sys_enter");
            case BTF_TRACEPOINT -> p.attachBtfTracepoint();
            case KPROBE -> p.attachKprobe("do_sys_openat2", false);
            case FENTRY -> p.attachTracing();
            case LSM -> p.attachLsm();
            default -> throw new IllegalArgumentException(f.name());
        };
    }

    private static String explain(Feature f, BpfException e) {
        String first = e.getMessage().lines().findFirst().orElse("");
        if (e.errno() == Errno.EPERM && (f == Feature.FENTRY || f == Feature.LSM)) {
            return "refused with EPERM (BPF trampolines blocked, e.g. by lockdown)";
        }
        if (f == Feature.KPROBE && (e.errno() == Errno.ENOENT || e.errno() == Errno.EOPNOTSUPP || e.errno() == 19)) {
            return "kprobes unavailable (CONFIG_KPROBES off or no kprobe PMU)";
        }
        if (f == Feature.TRACEPOINT && e.errno() == Errno.ENOENT) {
            return "tracepoint not found (is tracefs mounted at /sys/kernel/tracing?)";
        }
        if (f == Feature.LSM && e.errno() == Errno.EINVAL) {
            return "BPF LSM not active (add 'bpf' to the lsm= boot parameter)";
        }
        return first;
    }
}
