package dev.vigil.enforce.compile;

import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this kernel lets enforcement use, from the feature probe: BPF LSM (a real EPERM for exec and open),
 * bpf_send_signal (a kill before the process returns to user space), the sched_prepare_exec tracepoint (the
 * earliest point to kill an exec; else sched_process_exec), cgroup socket hooks (EPERM for connect and bind), and
 * whether the kernel can load modules at all (CONFIG_MODULES: /proc/modules).
 */
public record KernelCaps(boolean lsm, String lsmDetail, boolean sendSignal, boolean prepareExec, boolean cgroupSockAddr,
                         boolean modules, String kernelRelease) {

    public static KernelCaps of(FeatureReport r) {
        return new KernelCaps(r.supports(Feature.LSM), r.results().get(Feature.LSM).detail(), r.supports(Feature.SEND_SIGNAL),
                hasPrepareExec(), r.supports(Feature.CGROUP_SOCK_ADDR), Files.exists(Path.of("/proc/modules")), r.kernelRelease());
    }

    /** No LSM, signals and cgroup hooks, no loadable modules: this project's main test machine (6.18 without trampolines). */
    public static KernelCaps withoutLsm() {
        return new KernelCaps(false, "refused with EPERM (BPF trampolines blocked)", true, true, true, false, "test");
    }

    public static KernelCaps withLsm() {
        return new KernelCaps(true, "", true, false, true, true, "test");
    }

    public KernelCaps withModules(boolean on) {
        return new KernelCaps(lsm, lsmDetail, sendSignal, prepareExec, cgroupSockAddr, on, kernelRelease);
    }

    /** The tracepoint's type is in the kernel's BTF (sched_prepare_exec came with Linux 6.10). */
    static boolean hasPrepareExec() {
        try {
            byte[] btf = Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux"));
            return indexOf(btf, "btf_trace_sched_prepare_exec\0".getBytes(StandardCharsets.US_ASCII)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    public String execKillHook() {
        return prepareExec ? "sched_prepare_exec" : "sched_process_exec";
    }
}
