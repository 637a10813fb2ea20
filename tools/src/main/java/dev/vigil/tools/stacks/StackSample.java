package dev.vigil.tools.stacks;

import dev.vigil.ebpf.symbol.Symbolizer;
import java.util.List;

/**
 * One counted pair of stacks, symbolized: innermost frame first, as the kernel records them.
 * {@code value} is what the tool counts (samples for profile, microseconds for offcputime).
 */
public record StackSample(StackKey key, long value, List<Symbolizer.Frame> user, List<Symbolizer.Frame> kernel) {
    public StackSample {
        user = List.copyOf(user);
        kernel = List.copyOf(kernel);
    }

    /** The innermost user frame's name, or null. */
    public String leafUserFunction() {
        return user.isEmpty() ? null : user.getFirst().name();
    }
}
