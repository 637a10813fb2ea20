package dev.vigil.enforce.compile;

/** The calls enforcement decides on; the ordinal is the kernel's enum enf_hook (vigil/enforce.h). */
public enum Hook {
    EXEC("exec"), OPEN("open"), CONNECT("connect"), BIND("bind"), PTRACE("ptrace"), MODULE_LOAD("module_load"), BPF("bpf"),
    SETUID("setuid"),
    /** not a call: the spec.matchBinaries scope of policies (one kernel rule per such policy) */
    BINARY("matchBinaries");

    public final String label;

    Hook(String label) { this.label = label; }

    public static Hook of(int ordinal) {
        return ordinal >= 0 && ordinal < values().length ? values()[ordinal] : null;
    }
}
