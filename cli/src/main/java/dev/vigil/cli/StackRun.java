package dev.vigil.cli;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.stacks.StackReport;
import dev.vigil.tools.stacks.StackSample;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How the stack tools (profile, offcputime) run once attached: a header in the listing format, then
 * counting in the kernel until the duration ends or a signal comes, then one report (listing, folded
 * or JSON, and the flame graph with --svg).
 */
final class StackRun {
    private StackRun() {}

    static void checkDuration(Integer duration) {
        if (duration != null && duration <= 0) {
            throw new IllegalArgumentException("duration must be a positive number of seconds, got " + duration);
        }
    }

    /** @param missedWhat what a count that found the counts map full was, for the warning */
    static int run(ToolSession session, BpfTool started, ToolOutput out, String header, Integer duration, StackReport report,
            Supplier<List<StackSample>> stacks, LongSupplier missed, String missedWhat) throws Exception {
        return session.run(started, t -> {
            if (header != null) {
                out.print(header + "\n");
                session.flush();
            }
            t.awaitStop(duration != null ? Duration.ofSeconds(duration) : Duration.ofDays(3650));
            report.write(out, stacks.get());
            long n = missed.getAsLong();
            if (n > 0) {
                System.err.printf("vigil %s: %d %s not counted (the counts map was full)%n", t.name(), n, missedWhat);
            }
        });
    }
}
