package dev.vigil.ebpf.internal;

import java.util.Map;

/** Errno names with libbpf's text, so messages read "EPERM (Operation not permitted)". */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOTSUPP = 524;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(E2BIG, "E2BIG"),
            Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"), Map.entry(ENOMEM, "ENOMEM"),
            Map.entry(EACCES, "EACCES"), Map.entry(EFAULT, "EFAULT"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(EINVAL, "EINVAL"), Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(ENOSYS, "ENOSYS"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"), Map.entry(ENOTSUPP, "ENOTSUPP"),
            Map.entry(19, "ENODEV"), Map.entry(6, "ENXIO"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(24, "EMFILE"), Map.entry(20, "ENOTDIR"));

    private Errno() {}

    public static String name(int errno) {
        return NAMES.getOrDefault(Math.abs(errno), "errno " + Math.abs(errno));
    }

    public static String describe(int errno) {
        int e = Math.abs(errno);
        String text;
        try {
            text = LibBpf.strerror(e);
        } catch (RuntimeException | LinkageError ex) {
            text = "";
        }
        if (e == ENOTSUPP && (text.isEmpty() || text.startsWith("Unknown"))) {
            text = "Operation not supported by this kernel";
        }
        return text.isEmpty() ? name(e) : name(e) + " (" + text + ")";
    }
}
