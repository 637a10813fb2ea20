package dev.vigil.ebpf.feature;

/** Kernel capabilities Vigil chooses hooks by. Each knows how it is probed. */
public enum Feature {
    TRACEPOINT("probe_tracepoint", Probe.LOAD_ATTACH, "syscall and sched tracepoints (tracefs)"),
    RAW_TRACEPOINT("probe_raw_tracepoint", Probe.LOAD_ATTACH, "raw tracepoints (raw_tp)"),
    BTF_TRACEPOINT("probe_btf_tracepoint", Probe.LOAD_ATTACH, "typed BTF tracepoints (tp_btf)"),
    KPROBE("probe_kprobe", Probe.LOAD_ATTACH, "kprobes (CONFIG_KPROBES)"),
    FENTRY("probe_fentry", Probe.LOAD_ATTACH, "fentry/fexit trampolines"),
    LSM("probe_lsm", Probe.LOAD_ATTACH, "BPF LSM hooks (enforcement by denial)"),
    CGROUP_SOCK_ADDR("probe_cgroup_sock_addr", Probe.LOAD, "cgroup socket hooks (connect/bind filtering)"),
    TC("probe_tc", Probe.LOAD, "tc classifier programs"),
    XDP("probe_xdp", Probe.LOAD, "XDP programs"),
    UPROBE("probe_uprobe", Probe.LOAD, "uprobes"),
    PERF_EVENT("probe_perf_event", Probe.LOAD, "perf event programs (sampling profilers)"),
    SEND_SIGNAL("probe_send_signal", Probe.LOAD, "bpf_send_signal (kill-at-exec enforcement)"),
    RINGBUF(null, Probe.MAP_TYPE, "BPF ring buffer maps");

    enum Probe { LOAD, LOAD_ATTACH, MAP_TYPE }

    final String program;
    final Probe probe;
    private final String description;

    Feature(String program, Probe probe, String description) {
        this.program = program;
        this.probe = probe;
        this.description = description;
    }

    public String description() {
        return description;
    }
}
