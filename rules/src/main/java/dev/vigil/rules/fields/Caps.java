package dev.vigil.rules.fields;

/** Linux capability names by bit number, as Falco renders {@code thread.cap_*} (space-separated). */
public final class Caps {
    private Caps() {}

    public static final String[] NAMES = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};

    /** Bit mask of a capability name, 0 if unknown. */
    public static long bit(String name) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return 1L << i;
        return 0;
    }

    public static void render(long mask, StringBuilder sb) {
        int start = sb.length();
        for (int i = 0; i < NAMES.length; i++) {
            if ((mask & (1L << i)) != 0) {
                if (sb.length() > start) sb.append(' ');
                sb.append(NAMES[i]);
            }
        }
    }
}
