package dev.vigil.enforce.kernel;

import dev.vigil.ebpf.btf.Btf;
import dev.vigil.ebpf.btf.StructView;

/** Java's view of vigil/enforce.h, checked against the object's BTF at load; offsets come only from here. */
final class Layout {
    private Layout() {}

    static final int PATH_LEN = 256;

    static final StructView EVENT = StructView.builder("enforce_event", 352)
            .field("ts", 0, 8).field("mntns", 8, 8).field("cgroup", 16, 8).field("pid", 24, 4).field("tgid", 28, 4)
            .field("ppid", 32, 4).field("uid", 36, 4).field("rule_id", 40, 4).field("target", 44, 4)
            .field("hook", 48, 2).field("outcome", 50, 1).field("action", 51, 1).field("port", 52, 2)
            .field("family", 54, 2).field("addr", 56, 16).field("path_len", 72, 4).field("comm", 76, 16)
            .field("path", 92, PATH_LEN).build();

    static final StructView RULE = StructView.builder("enf_rule", 24)
            .field("terms", 0, 8).field("id", 8, 4).field("policy", 12, 4).field("action", 16, 1).field("monitor", 17, 1)
            .field("signal", 18, 1).field("access", 19, 1).field("sel", 20, 4).build();

    static final int MAX_CAP_CONDS = 3, MAX_NS_CONDS = 4, NS_VALS = 4;

    static final StructView CAP_COND = StructView.builder("enf_cap_cond", 16)
            .field("mask", 0, 8).field("set", 8, 1).field("notin", 9, 1).field("userns", 10, 1).build();

    static final StructView NS_COND = StructView.builder("enf_ns_cond", 20)
            .field("vals", 0, 4 * NS_VALS).field("kind", 16, 1).field("notin", 17, 1).field("nvals", 18, 1).build();

    static final StructView SEL = StructView.builder("enf_sel", 16 + 16 * MAX_CAP_CONDS + 20 * MAX_NS_CONDS)
            .field("ncaps", 0, 4).field("nns", 4, 4).field("host_userns", 8, 4)
            .field("caps", 16, 16 * MAX_CAP_CONDS).field("ns", 16 + 16 * MAX_CAP_CONDS, 20 * MAX_NS_CONDS).build();

    static final StructView HOOK_CFG = StructView.builder("enf_hook_cfg", 32)
            .field("neg_terms", 0, 8).field("nrules", 8, 4).field("postfix", 12, 4).field("access", 16, 4)
            .field("flags", 20, 4).field("upper_terms", 24, 8).build();

    static final StructView CONFIG = StructView.builder("enf_config", 56)
            .field("host_mntns", 0, 8).field("host_policies", 8, 8).field("agent_tgid", 16, 4).field("tamper", 20, 4)
            .field("bin_policies", 24, 8).field("follow_policies", 32, 8).field("generation", 40, 4).field("protect", 44, 4)
            .field("agent_gone", 48, 4).build();

    static final StructView PATH_KEY = StructView.builder("enf_path_key", 4 + PATH_LEN)
            .field("prefixlen", 0, 4).field("path", 4, PATH_LEN).build();

    static final StructView NET4_KEY = StructView.builder("enf_net4_key", 12)
            .field("prefixlen", 0, 4).field("hook", 4, 4).field("addr", 8, 4).build();

    static final StructView NET6_KEY = StructView.builder("enf_net6_key", 24)
            .field("prefixlen", 0, 4).field("hook", 4, 4).field("addr", 8, 16).build();

    static final StructView PORT_KEY = StructView.builder("enf_port_key", 8).field("hook", 0, 4).field("port", 4, 4).build();

    static void verify(Btf btf) {
        for (StructView v : new StructView[] {EVENT, RULE, CAP_COND, NS_COND, SEL, HOOK_CFG, CONFIG, PATH_KEY, NET4_KEY, NET6_KEY, PORT_KEY}) v.verify(btf);
    }
}
