package dev.vigil.ebpf;

import dev.vigil.ebpf.internal.Errno;

/**
 * What the kernel or libbpf refused, said in one line a user can act on. Subclasses add the
 * verifier log ({@link ProgramLoadException}), a missing kernel feature
 * ({@code feature.FeatureUnsupportedException}) or a layout drift ({@code btf.LayoutMismatchException}).
 */
public class BpfException extends RuntimeException {
    private final int errno;

    public BpfException(String message) {
        this(message, 0, null);
    }

    public BpfException(String message, int errno) {
        this(message, errno, null);
    }

    public BpfException(String message, int errno, Throwable cause) {
        super(errno == 0 ? message : message + ": " + Errno.describe(errno), cause);
        this.errno = Math.abs(errno);
    }

    /** The positive errno the kernel returned, or 0 when the failure was not an errno. */
    public int errno() {
        return errno;
    }
}
