package dev.vigil.cli;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.profile.Profile;
import dev.vigil.tools.stacks.StackPrinter;
import dev.vigil.tools.stacks.StackReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** profile with libbpf-tools' flags, plus --svg for a flame graph. */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Profile CPU usage by sampling stack traces at a timed interval, like libbpf-tools' profile.",
            "Uses the software cpu-clock event: no hardware PMU needed.", "",
            "Examples:",
            "  vigil profile                 # profile stack traces at 49 Hertz until Ctrl-C",
            "  vigil profile -F 99           # profile stack traces at 99 Hertz",
            "  vigil profile 5               # profile at 49 Hertz for 5 seconds only",
            "  vigil profile -f 5            # output in folded format for flame graphs",
            "  vigil profile --svg cpu.svg 10  # write an interactive flame graph too",
            "  vigil profile -p 185          # only profile process with PID 185",
            "  vigil profile -L 185          # only profile thread with TID 185",
            "  vigil profile -U              # only show user space stacks (no kernel)",
            "  vigil profile -K              # only show kernel space stacks (no user)"})
final class ProfileCommand implements Callable<Integer> {
    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-L", "--tid"}, paramLabel = "TID", description = "Profile this thread only.")
    Integer tid;

    @Option(names = {"-U", "--user-stacks-only"}, description = "Show stacks from user space only (no kernel space stacks).")
    boolean userOnly;

    @Option(names = {"-K", "--kernel-stacks-only"}, description = "Show stacks from kernel space only (no user space stacks).")
    boolean kernelOnly;

    @Option(names = {"-F", "--frequency"}, paramLabel = "FREQUENCY", defaultValue = "49",
            description = "Sample frequency in Hertz (default ${DEFAULT-VALUE}).")
    int frequency;

    @Option(names = {"-d", "--delimited"}, description = "Insert a delimiter between kernel and user stacks.")
    boolean delimited;

    @Option(names = {"-a", "--annotations"}, description = "Add _[k] annotations to kernel frames (and _[j] to JIT frames).")
    boolean annotations;

    @Option(names = {"-I", "--include-idle"}, description = "Include CPU idle stacks.")
    boolean includeIdle;

    @Option(names = {"-f", "--folded"}, description = "Output folded format, one line per stack (for flame graphs).")
    boolean folded;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write an interactive SVG flame graph to FILE.")
    Path svg;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds (default: until Ctrl-C).")
    Integer duration;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (duration != null && duration <= 0) {
            throw new IllegalArgumentException("duration must be a positive number of seconds, got " + duration);
        }
        StackReport.checkWritable(svg);
        Profile.Options options = new Profile.Options(tool.filters(pid.pid, tid, null), frequency, userOnly, kernelOnly, includeIdle);
        ToolSession session = ToolSession.begin(tool);
        Profile profile = Profile.start(options);
        ToolOutput out = session.output(tool.json);
        var report = new StackReport(new StackPrinter(!kernelOnly, !userOnly, delimited, annotations), folded, svg,
                "CPU profile (" + frequency + " Hz" + (duration != null ? ", " + duration + " s" : "") + ")", "samples");
        return session.run(profile.tool(), t -> {
            if (!folded && !tool.json) {
                out.printf("Sampling at %d Hertz of %s by %s stack%s... Hit Ctrl-C to end.%n", frequency,
                        pid.pid != null ? "PID " + pid.pid : tid != null ? "TID " + tid : "all threads",
                        userOnly ? "user" : kernelOnly ? "kernel" : "user + kernel", duration != null ? " for " + duration + " secs" : "");
                session.flush();
            }
            t.awaitStop(duration != null ? Duration.ofSeconds(duration) : Duration.ofDays(3650));
            report.write(out, profile.samples(new Symbolizer()));
            long missed = profile.missed();
            if (missed > 0) {
                System.err.printf("vigil profile: %d samples not counted (the counts map was full)%n", missed);
            }
        });
    }
}
