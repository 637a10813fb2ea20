package dev.vigil.enforce.policy;

import dev.vigil.policy.Policy;
import dev.vigil.policy.Position;
import java.util.List;
import java.util.Map;

/**
 * One {@code kind: EnforcementPolicy} document (apiVersion vigil.dev/v1alpha1), as parsed: selectors and actions
 * named as Tetragon's TracingPolicy names them. Every part keeps the position it was read from, so the compiler's
 * refusals name FILE:LINE:COL too.
 */
public record EnforcementPolicy(String name, Position position, Mode mode, boolean host, ContainerSelector containers,
                                List<BinaryMatch> matchBinaries, List<Rule> rules) implements Policy {
    public static final String API_VERSION = "vigil.dev/v1alpha1";
    public static final String KIND = "EnforcementPolicy";

    public EnforcementPolicy {
        matchBinaries = List.copyOf(matchBinaries);
        rules = List.copyOf(rules);
    }

    @Override
    public boolean audit() {
        return mode == Mode.MONITOR;
    }

    /** enforce: act; monitor: audit (every decision reported, nothing denied or killed). */
    public enum Mode { ENFORCE, MONITOR }

    /** What a rule does when it holds. */
    public enum Action {
        /** the call fails with EPERM (LSM or cgroup hooks) */
        DENY("Deny"),
        SIGKILL("Sigkill"),
        /** a signal of the rule's choice ({@code argSig}) */
        SIGNAL("Signal"),
        /** report only */
        POST("Post");

        public final String yamlName;

        Action(String yamlName) { this.yamlName = yamlName; }
    }

    /** Tetragon's matchBinaries / matchArgs string operators. */
    public enum Operator {
        IN("In", false), NOT_IN("NotIn", true), PREFIX("Prefix", false), NOT_PREFIX("NotPrefix", true),
        POSTFIX("Postfix", false), NOT_POSTFIX("NotPostfix", true);

        public final String yamlName;
        public final boolean negated;

        Operator(String yamlName, boolean negated) {
            this.yamlName = yamlName;
            this.negated = negated;
        }
    }

    /** One {@code {operator, values}} entry; entries of one list must all hold (as in Tetragon's selectors). */
    public record BinaryMatch(Operator operator, List<String> values, boolean followChildren, Position pos) {
        public BinaryMatch {
            values = List.copyOf(values);
        }
    }

    /**
     * Which containers a policy covers: every given part must hold (labels all present with these values; a name,
     * an image (repository[:tag] or a prefix ending in *), a pod, a namespace among those listed). Empty: none.
     */
    public record ContainerSelector(Map<String, String> matchLabels, List<String> names, List<String> images,
                                    List<String> pods, List<String> namespaces, String pos) {
        public static final ContainerSelector NONE = new ContainerSelector(Map.of(), List.of(), List.of(), List.of(), List.of(), "");

        public boolean isEmpty() {
            return pos.isEmpty();
        }
    }

    /** The call a rule is about, and its conditions. */
    public sealed interface Target permits Exec, Open, Net, Call {}

    /**
     * exec of a binary: conditions on the new executable's path (symlinks resolved, as the kernel opened it), and
     * {@code fromUpperLayer}: the executable is in a container's overlay upper layer (written at run time, not in the
     * image; Falco's proc.exe_upper_layer).
     */
    public record Exec(List<BinaryMatch> matchBinaries, boolean fromUpperLayer) implements Target {}

    /** open of a file: conditions on its path; which access (read, write) counts. */
    public record Open(List<BinaryMatch> matchPaths, boolean read, boolean write) implements Target {}

    /** connect or bind: destination (connect) or local (bind) address in one of the CIDRs and/or one of the ports. */
    public record Net(boolean bind, List<String> cidrs, List<Integer> ports) implements Target {}

    /** The calls a rule can be about with no condition of their own: the policy's scope says who may not make them. */
    public enum CallKind {
        /** attach to another process with ptrace (under LSM also reading or writing its memory) */
        PTRACE("ptrace"),
        /** load a kernel module (init_module, finit_module) */
        MODULE_LOAD("module_load"),
        /** load a BPF program (by anyone but the agent) */
        BPF("bpf"),
        /** become root: uid, euid or fsuid changed to 0 by a process that is not root */
        SETUID("setuid");

        public final String yamlName;

        CallKind(String yamlName) { this.yamlName = yamlName; }
    }

    /** ptrace, module_load, bpf or setuid (to root). */
    public record Call(CallKind kind) implements Target {}

    /**
     * One rule: the target, the action, a signal for Signal, and the fallback this kernel may use when it cannot
     * enforce the action as asked (only Sigkill: a kill where the kernel cannot deny).
     */
    public record Rule(String name, Target target, Action action, int signal, Action fallback, List<CapMatch> capabilities,
                       List<NsMatch> namespaces, Position pos) {
        public Rule {
            capabilities = List.copyOf(capabilities);
            namespaces = List.copyOf(namespaces);
        }

        public Rule(String name, Target target, Action action, int signal, Action fallback, Position pos) {
            this(name, target, action, signal, fallback, List.of(), List.of(), pos);
        }
    }

    /** Tetragon's matchCapabilities {@code type}: which of the calling task's capability sets is tested. */
    public enum CapSet {
        EFFECTIVE("Effective"), INHERITABLE("Inheritable"), PERMITTED("Permitted");

        public final String yamlName;

        CapSet(String yamlName) { this.yamlName = yamlName; }
    }

    /**
     * One matchCapabilities entry: In holds when the set has one of the capabilities, NotIn when it has none; with
     * {@code isNamespaceCapability} it holds only for a task outside the host's user namespace (capabilities that are
     * root only inside a user namespace).
     */
    public record CapMatch(CapSet set, boolean notIn, List<String> values, boolean namespaceCapability, Position pos) {
        public CapMatch {
            values = List.copyOf(values);
        }

        public long mask() {
            long m = 0;
            for (String v : values) m |= 1L << Capabilities.number(v);
            return m;
        }
    }

    /** Tetragon's matchNamespaces {@code namespace}: the kind, as the task's /proc/PID/ns names it. */
    public enum NsKind {
        UTS("Uts", "uts"), IPC("Ipc", "ipc"), MNT("Mnt", "mnt"), PID("Pid", "pid"), PID_FOR_CHILDREN("PidForChildren", "pid_for_children"),
        NET("Net", "net"), TIME("Time", "time"), TIME_FOR_CHILDREN("TimeForChildren", "time_for_children"), CGROUP("Cgroup", "cgroup"),
        USER("User", "user");

        public final String yamlName;
        /** the name under /proc/PID/ns */
        public final String procName;

        NsKind(String yamlName, String procName) {
            this.yamlName = yamlName;
            this.procName = procName;
        }
    }

    /** The value of matchNamespaces that names the host's namespace of the entry's kind (pid 1's). */
    public static final String HOST_NS = "host_ns";

    /** One matchNamespaces entry: In holds when the task's namespace is one of the values (inode numbers or host_ns), NotIn when none. */
    public record NsMatch(NsKind kind, boolean notIn, List<String> values, Position pos) {
        public NsMatch {
            values = List.copyOf(values);
        }
    }
}
