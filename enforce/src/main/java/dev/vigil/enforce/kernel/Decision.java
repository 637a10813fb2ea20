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

    /** Tamper codes beyond signals (vigil/enforce.h, enum enf_tamper). */
    public static final int TAMPER_MAP_WRITE = 100, TAMPER_LINK_DETACH = 101, TAMPER_PROG_DETACH = 102, TAMPER_PIN_REMOVE = 103,
            TAMPER_UNLOCK = 104;

    /** For a tamper report, what was tried: ptrace, signal, map_write, link_detach, prog_detach, pin_remove, unlock. */
    public String tamperKind() {
        return switch (signal) {
            case 0 -> "ptrace";
            case TAMPER_MAP_WRITE -> "map_write";
            case TAMPER_LINK_DETACH -> "link_detach";
            case TAMPER_PROG_DETACH -> "prog_detach";
            case TAMPER_PIN_REMOVE -> "pin_remove";
            case TAMPER_UNLOCK -> "unlock";
            default -> "signal";
        };
    }

    /** A tamper report of something the kernel refused (self-protection). */
    public boolean refused() {
        return "Deny".equals(action);
    }

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
            String by = " by pid " + tgid + " (" + comm + ")" + (refused() ? ", refused" : "");
            return "tamper: " + switch (tamperKind()) {
                case "ptrace" -> "ptrace attach aimed at the agent (pid " + target + ")";
                case "signal" -> "signal " + signal + " aimed at the agent (pid " + target + ")";
                case "map_write" -> "write to Vigil's map id " + target;
                case "link_detach" -> "detach of Vigil's link id " + target;
                case "prog_detach" -> "detach of Vigil's program id " + target;
                case "pin_remove" -> "removal of Vigil's pin " + path;
                default -> "self-protection lifted (unlock map id " + target + " written)";
            } + by;
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
