package dev.vigil.rules.fields;

/**
 * Per-thread reusable text buffers, so that rendering a numeric argument as text or applying a transformer
 * does not allocate on the hot path. A buffer's content is valid until the next use of the same buffer on the
 * same thread; predicates consume values immediately.
 */
public final class Scratch {
    private final ThreadLocal<StringBuilder> tl = ThreadLocal.withInitial(() -> new StringBuilder(128));

    /** This thread's buffer, emptied. */
    public StringBuilder get() {
        StringBuilder sb = tl.get();
        sb.setLength(0);
        return sb;
    }
}
