package dev.vigil.events.prefilter;

import java.nio.charset.StandardCharsets;

/**
 * What the kernel prefilter learns from a path as the process passed it, computed exactly as
 * bpf/include/vigil/prefilter.bpf.h does (this is the Java mirror the property tests run):
 * <ul>
 *   <li>{@code judged}: the path was read and is at most {@link #MAX_JUDGED} bytes; a longer or unreadable path is
 *       never dropped;</li>
 *   <li>{@code clean}: absolute, with no empty, "." or ".." component and no trailing slash, so user space's
 *       lexical normalization (fd.name) leaves it as it is: the name tests apply to it directly;</li>
 *   <li>{@code dotdot}: it contains "..", what fd.nameraw's directory-traversal tests look for.</li>
 * </ul>
 */
public record RawPath(boolean judged, boolean clean, boolean dotdot) {
    /** The longest path (in bytes, without its NUL) the kernel judges: its buffer is 256 bytes with the kind byte. */
    public static final int MAX_JUDGED = 253;

    public static final RawPath UNJUDGED = new RawPath(false, false, false);

    public static RawPath of(String raw) {
        if (raw == null) return UNJUDGED;
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        int len = b.length;
        if (len > MAX_JUDGED) return UNJUDGED;
        for (byte x : b) if (x == 0) return UNJUDGED; // (cannot come from the kernel: a C string)
        boolean clean = len > 0 && b[0] == '/', dotdot = false;
        int segLen = 0, segDots = 0;
        byte prev = 0;
        for (int i = 0; i < len; i++) {
            byte c = b[i];
            if (c == '.' && prev == '.') dotdot = true;
            if (c == '/') {
                if (i > 0 && segLen == 0) clean = false;
                if (segLen > 0 && segLen == segDots && segLen <= 2) clean = false;
                segLen = 0;
                segDots = 0;
            } else {
                segLen++;
                if (c == '.') segDots++;
            }
            prev = c;
        }
        if (segLen == 0 && len > 1) clean = false;
        if (segLen > 0 && segLen == segDots && segLen <= 2) clean = false;
        return new RawPath(true, clean, dotdot);
    }
}
