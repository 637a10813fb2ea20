package dev.vigil.cli;

import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.stacks.StackPrinter;
import dev.vigil.tools.stacks.StackReport;
import dev.vigil.tools.stacks.StackSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * How the stack tools (profile, offcputime) run once attached: a header in the listing format, then
 * counting in the kernel until the duration ends or a signal comes, then one report (listing, folded
 * or JSON, and the flame graph with --svg).
 */
final class StackRun {
    private StackRun() {}

    /** The flags profile and offcputime share, as libbpf-tools spells them. */
    static final class Options {
        @Option(names = {"-U", "--user-stacks-only"}, description = "Show stacks from user space only (no kernel space stacks).")
        boolean userOnly;

        @Option(names = {"-K", "--kernel-stacks-only"}, description = "Show stacks from kernel space only (no user space stacks).")
        boolean kernelOnly;

        @Option(names = {"-d", "--delimited"}, description = "Insert a delimiter between kernel and user stacks.")
        boolean delimited;

        @Option(names = {"-f", "--folded"}, description = "Output folded format, one line per stack (for flame graphs).")
        boolean folded;

        @Option(names = "--svg", paramLabel = "FILE", description = "Also write an interactive SVG flame graph to FILE.")
        Path svg;

        @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds (default: until Ctrl-C).")
        Integer duration;

        /** Before anything is loaded: a bad duration or an unwritable --svg fails at once. */
        void validate() {
            if (duration != null && duration <= 0) {
                throw new IllegalArgumentException("duration must be a positive number of seconds, got " + duration);
            }
            StackReport.checkWritable(svg);
        }

        StackPrinter printer(boolean annotate) {
            return new StackPrinter(!kernelOnly, !userOnly, delimited, annotate);
        }

        /** The text header ("... of all threads by user + kernel stack for 5 secs"), null when folded or JSON. */
        String header(String prefix, String who, boolean json) {
            return folded || json ? null : String.format("%s of %s by %s stack%s... Hit Ctrl-C to end.", prefix, who,
                    userOnly ? "user" : kernelOnly ? "kernel" : "user + kernel", duration != null ? " for " + duration + " secs" : "");
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
