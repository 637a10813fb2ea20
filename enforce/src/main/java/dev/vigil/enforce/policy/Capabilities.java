package dev.vigil.enforce.policy;

import java.util.List;
import java.util.Locale;

/** Linux capability names (include/uapi/linux/capability.h) and their numbers, for matchCapabilities. */
public final class Capabilities {
    private Capabilities() {}

    /** By number: CAP_CHOWN is 0, ..., CAP_CHECKPOINT_RESTORE is 40 (CAP_LAST_CAP of the kernels Vigil supports). */
    public static final List<String> NAMES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
            "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
            "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** The number of a capability name (case-insensitive), or -1. */
    public static int number(String name) {
        return NAMES.indexOf(name.toUpperCase(Locale.ROOT));
    }
}
