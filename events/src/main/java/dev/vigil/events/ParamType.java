package dev.vigil.events;

/**
 * How a syscall parameter is stored in an event and rendered as text (a subset of libscap's PT_* types).
 * Numeric kinds are read with {@link EventView#argLong(int)}, text kinds with {@link EventView#argStr(int)},
 * byte buffers with {@link EventView#argBytes(int)}.
 */
public enum ParamType {
    INT64, UINT64, INT32, UINT32,
    /** A file descriptor number (negative for errors and AT_FDCWD). */
    FD,
    PID, UID, GID,
    /** A syscall return value; negative values render as errno names. */
    ERRNO,
    /** Numeric value rendered through a {@link FlagSet}. */
    FLAGS,
    /** Numeric value rendered through an enum {@link FlagSet}. */
    ENUM,
    /** File mode bits, rendered through {@link FlagSet#MODE}. */
    MODE,
    CHARBUF, FSPATH, FSRELPATH, BYTEBUF, SOCKADDR, SOCKTUPLE,
    RELTIME, ABSTIME;

    public boolean isNumeric() {
        return switch (this) {
            case CHARBUF, FSPATH, FSRELPATH, BYTEBUF, SOCKADDR, SOCKTUPLE -> false;
            default -> true;
        };
    }

    public boolean isText() {
        return switch (this) {
            case CHARBUF, FSPATH, FSRELPATH, SOCKADDR, SOCKTUPLE -> true;
            default -> false;
        };
    }
}
