package dev.vigil.enforce.compile;

import dev.vigil.enforce.compile.CompiledPolicies.KernelRule;
import dev.vigil.enforce.compile.CompiledPolicies.LpmEntry;
import dev.vigil.enforce.compile.CompiledPolicies.NetEntry;
import dev.vigil.enforce.compile.CompiledPolicies.PortEntry;
import dev.vigil.enforce.compile.CompiledPolicies.RulePlan;
import dev.vigil.enforce.compile.CompiledPolicies.RuleRef;
import dev.vigil.enforce.policy.Cidr;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.enforce.policy.EnforcementPolicy.Action;
import dev.vigil.enforce.policy.EnforcementPolicy.BinaryMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.Call;
import dev.vigil.enforce.policy.EnforcementPolicy.CapMatch;
import dev.vigil.enforce.policy.EnforcementPolicy.Exec;
import dev.vigil.enforce.policy.EnforcementPolicy.NsKind;
import dev.vigil.enforce.policy.EnforcementPolicy.NsMatch;
import dev.vigil.enforce.compile.CompiledPolicies.KernelCap;
import dev.vigil.enforce.compile.CompiledPolicies.KernelNs;
import dev.vigil.enforce.compile.CompiledPolicies.KernelSel;
import dev.vigil.enforce.policy.EnforcementPolicy.Net;
import dev.vigil.enforce.policy.EnforcementPolicy.Open;
import dev.vigil.enforce.policy.EnforcementPolicy.Operator;
import dev.vigil.enforce.policy.EnforcementPolicy.Rule;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.Position;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Compiles policies for one kernel: picks the hook for each rule (LSM where it can deny, else the kill the policy
 * allows as fallback, else the rule is refused with the reason), assigns term bits, and builds the closed LPM keys
 * (each key carries every term whose string is a prefix of it, so the kernel's longest match says all that holds).
 */
public final class PolicyCompiler {
    public static final int MAX_RULES = 32;       // ENF_MAX_RULES
    public static final int MAX_POLICIES = 64;    // ENF_MAX_POLICIES
    public static final int MAX_TERMS = 64;
    public static final int PATH_BYTES = 256;     // ENF_PATH_LEN

    private final KernelCaps caps;
    private final boolean monitorAll;
    private final ToLongFunction<NsKind> hostNs;

    /** @param monitorAll enforcement.mode: monitor (every policy audits, whatever its own mode) */
    public PolicyCompiler(KernelCaps caps, boolean monitorAll) {
        this(caps, monitorAll, PolicyCompiler::hostNamespace);
    }

    /** @param hostNs the inode of the host's namespace of a kind (what host_ns means) */
    public PolicyCompiler(KernelCaps caps, boolean monitorAll, ToLongFunction<NsKind> hostNs) {
        this.caps = caps;
        this.monitorAll = monitorAll;
        this.hostNs = hostNs;
    }

    /** The inode of pid 1's namespace of a kind (this process's where pid 1's cannot be read), or 0. */
    public static long hostNamespace(NsKind kind) {
        for (String pid : List.of("1", "self")) {
            try {
                String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", pid, "ns", kind.procName)).toString();
                return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
            } catch (java.io.IOException | RuntimeException e) {
                // next
            }
        }
        return 0;
    }

    private static final class HookBuild {
        final List<KernelRule> rules = new ArrayList<>();
        int terms;
        long neg;
        long upper;
        boolean postfix;
        final Map<Key, Long> prefix = new HashMap<>();
        final Map<Key, Long> suffix = new HashMap<>();
    }

    /** An LPM key by value: only the first {@code bits} bits of data count. */
    private record Key(byte[] data, int bits) {
        Key {
            data = masked(data, bits);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.bits == bits && Arrays.equals(k.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + bits;
        }
    }

    static byte[] masked(byte[] data, int bits) {
        byte[] out = Arrays.copyOf(data, (bits + 7) / 8);
        if (bits % 8 != 0) out[out.length - 1] &= (byte) (0xff << (8 - bits % 8));
        return out;
    }

    public CompiledPolicies compile(List<EnforcementPolicy> policies) {
        if (policies.size() > MAX_POLICIES) {
            throw new PolicyException(policies.get(MAX_POLICIES).position() + ": more than " + MAX_POLICIES + " enforcement policies");
        }
        Map<Hook, HookBuild> hooks = new EnumMap<>(Hook.class);
        for (Hook h : Hook.values()) hooks.put(h, new HookBuild());
        Map<Hook, Map<Key, Long>> net4 = new EnumMap<>(Hook.class), net6 = new EnumMap<>(Hook.class);
        Map<Long, Long> ports = new HashMap<>();
        Map<Integer, RuleRef> byId = new LinkedHashMap<>();
        List<RulePlan> plans = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        int nextId = 1;
        long binPolicies = 0, followPolicies = 0;
        for (int p = 0; p < policies.size(); p++) {
            EnforcementPolicy pol = policies.get(p);
            String dup = names.putIfAbsent(pol.name(), pol.position().toString());
            if (dup != null) throw new PolicyException(pol.position() + ": a policy named '" + pol.name() + "' is already loaded (" + dup + ")");
            if (!pol.matchBinaries().isEmpty()) {
                // the calling process's binary (or, with followChildren, an ancestor's): one BINARY rule per policy
                HookBuild bin = hooks.get(Hook.BINARY);
                Position first = pol.matchBinaries().getFirst().pos();
                if (bin.rules.size() == MAX_RULES) throw new PolicyException(first + ": more than " + MAX_RULES + " policies with spec.matchBinaries");
                long terms = 0;
                for (BinaryMatch m : pol.matchBinaries()) {
                    terms |= pathTerm(bin, m, first);
                    if (m.followChildren()) followPolicies |= 1L << p;
                }
                bin.rules.add(new KernelRule(0, terms, p, 0, false, 0, 0));
                binPolicies |= 1L << p;
            }
            boolean monitor = monitorAll || pol.mode() == EnforcementPolicy.Mode.MONITOR;
            for (Rule r : pol.rules()) {
                Hook hook = switch (r.target()) {
                    case Exec e -> Hook.EXEC;
                    case Open o -> Hook.OPEN;
                    case Net n -> n.bind() ? Hook.BIND : Hook.CONNECT;
                    case Call c -> switch (c.kind()) {
                        case PTRACE -> Hook.PTRACE;
                        case MODULE_LOAD -> Hook.MODULE_LOAD;
                        case BPF -> Hook.BPF;
                        case SETUID -> Hook.SETUID;
                    };
                };
                HookBuild hb = hooks.get(hook);
                if (hb.rules.size() == MAX_RULES) throw new PolicyException(r.pos() + ": more than " + MAX_RULES + " " + hook.label + " rules");
                String enforcedBy = enforcement(hook, r);
                int id = nextId++;
                long terms = 0;
                int access = 0;
                switch (r.target()) {
                    case Exec e -> {
                        for (BinaryMatch m : e.matchBinaries()) terms |= pathTerm(hb, m, r.pos());
                        if (e.fromUpperLayer()) {
                            long t = newTerm(hb, r.pos());
                            hb.upper |= t;
                            terms |= t;
                        }
                    }
                    case Open o -> {
                        for (BinaryMatch m : o.matchPaths()) terms |= pathTerm(hb, m, r.pos());
                        access = (o.read() ? 1 : 0) | (o.write() ? 2 : 0);
                    }
                    case Net n -> {
                        if (!n.cidrs().isEmpty()) {
                            long t = newTerm(hb, r.pos());
                            for (String c : n.cidrs()) {
                                Cidr cidr = Cidr.parse(c);
                                (cidr.v6() ? net6 : net4).computeIfAbsent(hook, h -> new HashMap<>())
                                        .merge(new Key(cidr.address(), cidr.prefixLength()), t, (a, b) -> a | b);
                            }
                            terms |= t;
                        }
                        if (!n.ports().isEmpty()) {
                            long t = newTerm(hb, r.pos());
                            for (int port : n.ports()) ports.merge(((long) hook.ordinal() << 32) | port, t, (a, b) -> a | b);
                            terms |= t;
                        }
                    }
                    case Call c -> { } // no condition: the scope decides
                }
                KernelSel sel = selectors(r);
                hb.rules.add(new KernelRule(id, terms, p, kernelAction(r.action()), monitor, r.signal(), access, sel));
                String how = (monitor ? "Monitor (would be " + enforcedBy + ")" : enforcedBy);
                byId.put(id, new RuleRef(id, pol.name(), r.name(), hook, r.action(), monitor, how, r.pos().toString()));
                plans.add(new RulePlan(pol.name(), r.name(), hook, how, when(r), r.pos().toString()));
            }
        }
        Map<Hook, List<KernelRule>> rules = new EnumMap<>(Hook.class);
        Map<Hook, Long> neg = new EnumMap<>(Hook.class);
        Map<Hook, Boolean> postfix = new EnumMap<>(Hook.class);
        Map<Hook, Long> upper = new EnumMap<>(Hook.class);
        Map<Hook, List<LpmEntry>> prefixTries = new EnumMap<>(Hook.class);
        Map<Hook, List<LpmEntry>> postfixTries = new EnumMap<>(Hook.class);
        for (var e : hooks.entrySet()) {
            HookBuild hb = e.getValue();
            rules.put(e.getKey(), List.copyOf(hb.rules));
            neg.put(e.getKey(), hb.neg);
            postfix.put(e.getKey(), hb.postfix);
            upper.put(e.getKey(), hb.upper);
            prefixTries.put(e.getKey(), closed(hb.prefix));
            postfixTries.put(e.getKey(), closed(hb.suffix));
        }
        List<NetEntry> netEntries = new ArrayList<>();
        for (Map<Hook, Map<Key, Long>> family : List.of(net4, net6)) {
            family.forEach((h, entries) -> {
                int size = family == net4 ? 4 : 16;
                for (LpmEntry le : closed(entries)) netEntries.add(new NetEntry(h, Arrays.copyOf(le.data(), size), le.bits(), le.mask()));
            });
        }
        List<PortEntry> portEntries = new ArrayList<>();
        ports.forEach((k, m) -> portEntries.add(new PortEntry(Hook.of((int) (k >>> 32)), (int) (k & 0xffff), m)));
        return new CompiledPolicies(rules, neg, postfix, upper, prefixTries, postfixTries, netEntries, portEntries,
                List.copyOf(policies), byId, plans, binPolicies, followPolicies);
    }

    /** The rule's matchCapabilities / matchNamespaces for the kernel, or null (no selector: the kernel reads nothing more). */
    private KernelSel selectors(Rule r) {
        if (r.capabilities().isEmpty() && r.namespaces().isEmpty()) return null;
        List<KernelCap> kc = new ArrayList<>();
        boolean userns = false;
        for (CapMatch c : r.capabilities()) {
            kc.add(new KernelCap(c.mask(), c.set().ordinal(), c.notIn(), c.namespaceCapability()));
            userns |= c.namespaceCapability();
        }
        List<KernelNs> kn = new ArrayList<>();
        for (NsMatch n : r.namespaces()) {
            long[] inodes = new long[n.values().size()];
            for (int i = 0; i < inodes.length; i++) {
                String v = n.values().get(i);
                if (v.equals(EnforcementPolicy.HOST_NS)) {
                    inodes[i] = hostNs.applyAsLong(n.kind());
                    if (inodes[i] == 0) throw new PolicyException(n.pos() + ": host_ns: the host's " + n.kind().yamlName
                            + " namespace cannot be read (/proc/1/ns/" + n.kind().procName + "); this kernel may not have that kind");
                } else {
                    inodes[i] = Long.parseLong(v);
                }
            }
            kn.add(new KernelNs(n.kind().ordinal(), n.notIn(), inodes));
        }
        return new KernelSel(kc, kn, userns ? hostNs.applyAsLong(NsKind.USER) : 0);
    }

    /** The selectors in the words of the policy, for vigil policy show ("" when none). */
    static String when(Rule r) {
        List<String> parts = new ArrayList<>();
        for (CapMatch c : r.capabilities()) {
            parts.add("capabilities " + c.set().yamlName + (c.notIn() ? " NotIn " : " In ") + c.values()
                    + (c.namespaceCapability() ? " (outside the host user namespace)" : ""));
        }
        for (NsMatch n : r.namespaces()) parts.add("namespace " + n.kind().yamlName + (n.notIn() ? " NotIn " : " In ") + n.values());
        return String.join(" and ", parts);
    }

    private static int kernelAction(Action a) {
        return switch (a) {
            case POST -> 0;
            case DENY -> 1;
            case SIGKILL -> 2;
            case SIGNAL -> 3;
        };
    }

    /** How this kernel enforces the rule, or the refusal (with what would make it loadable). */
    private String enforcement(Hook hook, Rule r) {
        Action a = r.action();
        if (hook == Hook.CONNECT || hook == Hook.BIND) {
            if (!caps.cgroupSockAddr()) throw new PolicyException(r.pos() + ": " + hook.label + " rules need cgroup socket hooks, which this kernel refuses");
            return switch (a) {
                case DENY -> "Deny: EPERM from cgroup/" + hook.label + "4 and " + hook.label + "6";
                case POST -> "Post: report from cgroup/" + hook.label + "4 and " + hook.label + "6";
                default -> throw new PolicyException(r.pos() + ": " + hook.label + " rules can Deny or Post (cgroup socket hooks cannot send signals)");
            };
        }
        if (hook == Hook.MODULE_LOAD && !caps.lsm()) {
            // a kill at init_module/finit_module comes after the module's init ran: no floor without LSM
            if (!caps.modules()) return a.yamlName + ": nothing to enforce, this kernel cannot load modules (CONFIG_MODULES unset)";
            throw new PolicyException(r.pos() + ": module_load rules need BPF LSM (kernel_read_file, kernel_load_data), which this kernel ("
                    + caps.kernelRelease() + ") does not allow (" + caps.lsmDetail() + "); a kill at the syscall would come after the module's code ran");
        }
        String lsmHook = switch (hook) {
            case EXEC -> "bprm_check_security";
            case OPEN -> "file_open";
            case PTRACE -> "ptrace_access_check";
            case SETUID -> "task_fix_setuid";
            case BPF -> "bpf";
            default -> "kernel_read_file and kernel_load_data";
        };
        String killHook = switch (hook) {
            case EXEC -> caps.execKillHook();
            case OPEN -> "sys_exit_open/openat/openat2/creat";
            case PTRACE -> "sys_enter_ptrace";
            case SETUID -> "sys_enter_setuid/setreuid/setresuid/setfsuid";
            default -> "sys_enter_bpf";
        };
        String killWhat = switch (hook) {
            case EXEC -> "before the new image runs: " + killHook;
            case OPEN -> "at the syscall (the open completes; the process never returns to user space): " + killHook;
            case PTRACE -> "at the syscall (the attach completes; the tracer never returns to user space, and its exit detaches): " + killHook;
            default -> "at the syscall (the call completes; the process never returns to user space): " + killHook;
        };
        if (a == Action.POST) return "Post: report from " + (caps.lsm() ? "LSM " + lsmHook : killHook);
        if (a == Action.DENY) {
            if (caps.lsm()) return "Deny: LSM " + lsmHook;
            if (r.fallback() == Action.SIGKILL && caps.sendSignal()) return "Sigkill (fallback for Deny) " + killWhat;
            throw new PolicyException(r.pos() + ": Deny of " + hook.label + " needs BPF LSM, which this kernel ("
                    + caps.kernelRelease() + ") does not allow (" + caps.lsmDetail() + "); add 'fallback: Sigkill' to kill "
                    + (hook == Hook.EXEC ? "before the new image runs" : hook == Hook.OPEN ? "at the open" : "at the " + hook.label + " call")
                    + " instead");
        }
        if (!caps.sendSignal()) throw new PolicyException(r.pos() + ": " + a.yamlName + " needs bpf_send_signal, which this kernel refuses");
        String via = caps.lsm() ? "LSM " + lsmHook : killHook;
        return a == Action.SIGKILL ? "Sigkill " + (caps.lsm() ? "(and EPERM) at LSM " + lsmHook : killWhat)
                : "Signal " + r.signal() + " at " + via;
    }

    private long newTerm(HookBuild hb, Position pos) {
        if (hb.terms == MAX_TERMS) throw new PolicyException(pos + ": more than " + MAX_TERMS + " conditions on one hook");
        return 1L << hb.terms++;
    }

    private long pathTerm(HookBuild hb, BinaryMatch m, Position pos) {
        long t = newTerm(hb, pos);
        if (m.operator().negated) hb.neg |= t;
        for (String v : m.values()) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            if (b.length >= PATH_BYTES) throw new PolicyException(m.pos() + ": '" + v + "' is longer than 255 bytes");
            switch (m.operator()) {
                case IN, NOT_IN -> hb.prefix.merge(new Key(Arrays.copyOf(b, b.length + 1), (b.length + 1) * 8), t, (x, y) -> x | y);
                case PREFIX, NOT_PREFIX -> hb.prefix.merge(new Key(b, b.length * 8), t, (x, y) -> x | y);
                case POSTFIX, NOT_POSTFIX -> {
                    hb.postfix = true;
                    hb.suffix.merge(new Key(reversed(b), b.length * 8), t, (x, y) -> x | y);
                }
            }
        }
        return t;
    }

    static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
        return r;
    }

    /** Every key with the union of the masks of the keys that are prefixes of it (itself included). */
    static List<LpmEntry> closed(Map<Key, Long> entries) {
        List<LpmEntry> out = new ArrayList<>();
        java.util.TreeSet<Integer> lengths = new java.util.TreeSet<>();
        for (Key k : entries.keySet()) lengths.add(k.bits());
        for (var e : entries.entrySet()) {
            Key k = e.getKey();
            long mask = 0;
            for (int len : lengths.headSet(k.bits(), true)) {
                Long m = entries.get(new Key(k.data(), len));
                if (m != null) mask |= m;
            }
            out.add(new LpmEntry(k.data(), k.bits(), mask));
        }
        return List.copyOf(out);
    }
}
