package dev.vigil.cli;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.profile.Profile;
import dev.vigil.tools.stacks.StackReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Option(names = {"-F", "--frequency"}, paramLabel = "FREQUENCY", defaultValue = "49",
            description = "Sample frequency in Hertz (default ${DEFAULT-VALUE}).")
    int frequency;

    @Option(names = {"-a", "--annotations"}, description = "Add _[k] annotations to kernel frames (and _[j] to JIT frames).")
    boolean annotations;

    @Option(names = {"-I", "--include-idle"}, description = "Include CPU idle stacks.")
    boolean includeIdle;

    @Mixin
    StackRun.Options stacks;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        stacks.validate();
        Profile.Options options = new Profile.Options(tool.filters(pid.pid, tid, null), frequency, stacks.userOnly, stacks.kernelOnly,
                includeIdle);
        ToolSession session = ToolSession.begin(tool);
        Profile profile = Profile.start(options);
        Integer duration = stacks.duration;
        var report = new StackReport(stacks.printer(annotations), stacks.folded, stacks.svg,
                "CPU profile (" + frequency + " Hz" + (duration != null ? ", " + duration + " s" : "") + ")", "samples");
        String header = stacks.header("Sampling at " + frequency + " Hertz",
                pid.pid != null ? "PID " + pid.pid : tid != null ? "TID " + tid : "all threads", tool.json);
        return StackRun.run(session, profile.tool(), session.output(tool.json), header, duration, report,
                () -> profile.samples(new Symbolizer()), profile::missed, "samples");
    }
}
