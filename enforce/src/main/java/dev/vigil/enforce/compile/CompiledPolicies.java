package dev.vigil.enforce.compile;

import dev.vigil.enforce.policy.EnforcementPolicy;
import java.util.List;
import java.util.Map;

/**
 * Policies compiled into the kernel's tables (vigil/enforce.h), plus what user space needs to report a decision
 * (which policy and rule an id is) and to show, for each rule, the hook that enforces it on this kernel.
 *
 * @param rules     per hook, in the order the kernel tries them
 * @param negTerms  per hook, the term bits of negated operators
 * @param postfix   per hook, whether it has Postfix terms
 * @param upperTerms per hook, the terms "the executable is in an overlay upper layer" ({@code fromUpperLayer})
 * @param pathTries per path hook (EXEC, OPEN): prefix trie keys (path bytes, bit length) with their closed term masks
 * @param postfixTries per path hook: keys of reversed suffixes
 * @param netEntries connect/bind addresses: key (hook, address bytes, prefix length) with closed term masks
 * @param ports     (hook, port) with term masks
 * @param policies  in bit order (the bit in the scope masks is the index)
 * @param binPolicies policies (bits) with spec.matchBinaries; their conditions are the rules of {@link Hook#BINARY}
 * @param followPolicies of those, the ones with followChildren
 */
public record CompiledPolicies(Map<Hook, List<KernelRule>> rules, Map<Hook, Long> negTerms, Map<Hook, Boolean> postfix,
                               Map<Hook, Long> upperTerms,
                               Map<Hook, List<LpmEntry>> pathTries, Map<Hook, List<LpmEntry>> postfixTries,
                               List<NetEntry> netEntries, List<PortEntry> ports, List<EnforcementPolicy> policies,
                               Map<Integer, RuleRef> byId, List<RulePlan> plans, long binPolicies, long followPolicies) {

    /** A rule as the kernel holds it (struct enf_rule). */
    public record KernelRule(int id, long terms, int policy, int action, boolean monitor, int signal, int access, KernelSel sel) {
        public KernelRule(int id, long terms, int policy, int action, boolean monitor, int signal, int access) {
            this(id, terms, policy, action, monitor, signal, access, null);
        }
    }

    /** A rule's matchCapabilities / matchNamespaces as the kernel holds them (struct enf_sel), host_ns resolved. */
    public record KernelSel(List<KernelCap> caps, List<KernelNs> namespaces, long hostUserns) {}

    /** struct enf_cap_cond */
    public record KernelCap(long mask, int set, boolean notIn, boolean userns) {}

    /** struct enf_ns_cond */
    public record KernelNs(int kind, boolean notIn, long[] inodes) {}

    /** An LPM key: the bytes (only the first ceil(bits/8) count) and the prefix length in bits, and its term mask. */
    public record LpmEntry(byte[] data, int bits, long mask) {}

    public record NetEntry(Hook hook, byte[] address, int bits, long mask) {}

    public record PortEntry(Hook hook, int port, long mask) {}

    /** What a decision's rule id refers to. */
    public record RuleRef(int id, String policy, String rule, Hook hook, EnforcementPolicy.Action action, boolean monitor,
                          String enforcedBy, String pos) {}

    /** One line of {@code vigil policy show}: how a rule is enforced here. */
    public record RulePlan(String policy, String rule, Hook hook, String enforcement, String when, String pos) {}

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
