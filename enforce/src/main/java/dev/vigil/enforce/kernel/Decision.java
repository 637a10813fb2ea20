package dev.vigil.enforce.kernel;

import dev.vigil.enforce.compile.Hook;

/**
 * One enforcement decision, as the kernel reported it: what was done (outcome), by which policy and rule, to which
 * process, about which file or address. Tamper reports (someone signalled or ptraced the agent) are decisions too,
 * with outcome TAMPER, the signal (0: ptrace) and the agent's pid as target. {@code target} is also the tracee's pid for
 * ptrace, the new uid for setuid and the bpf command for bpf.
 *
 * @param monoNanos CLOCK_MONOTONIC time of the decision in the kernel
 * @param enforcedBy how this kernel enforced it (e.g. "Deny: LSM bprm_check_security")
 */
public record Decision(long monoNanos, Hook hook, Outcome outcome, String policy, String rule, String action,
                       String enforcedBy, int pid, int tgid, int ppid, int uid, String comm, String path,
                       long mntns, long cgroupId, String address, int port, int signal, int target) {

    public enum Outcome {
        POSTED("posted"), DENIED("denied"), KILLED("killed"), SIGNALLED("signalled"), MONITORED("monitored"), TAMPER("tamper");

        public final String label;

        Outcome(String label) { this.label = label; }

        static Outcome of(int v) {
            return v >= 0 && v < values().length ? values()[v] : POSTED;
        }
    }

    /** One line for logs: "killed exec /tmp/x by pid 12 (sh): policy no-tmp rule r0 (Sigkill before ...)". */
    public String describe() {
        if (outcome == Outcome.TAMPER) {
            return "tamper: " + (signal == 0 ? "ptrace attach" : "signal " + signal) + " aimed at the agent (pid " + target
                    + ") by pid " + tgid + " (" + comm + ")";
        }
        String what = switch (hook) {
            case CONNECT, BIND -> address + ":" + port;
            case PTRACE -> "of pid " + target;
            case SETUID -> "to uid " + target;
            case BPF -> "(program load)";
            case MODULE_LOAD -> "(module load)";
            default -> path;
        };
        return outcome.label + " " + hook.label + " " + what + " by pid " + tgid + " (" + comm + "): policy " + policy
                + " rule " + rule + " (" + enforcedBy + ")";
    }
}
