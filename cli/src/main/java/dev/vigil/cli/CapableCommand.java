package dev.vigil.cli;

import dev.vigil.tools.capable.Capable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** capable with libbpf-tools' flags: kprobes on cap_capable where the kernel has them, else its tracepoint. */
@Command(name = "capable", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace security capability checks (cap_capable), like libbpf-tools' capable.",
            "Hooks: libbpf-tools' kprobe and kretprobe on cap_capable where the kernel allows kprobes (AUDIT and",
            "INSETID from cap_opt); else the capability:cap_capable tracepoint, which gives the capability and the",
            "verdict but not cap_opt, so AUDIT and INSETID print as \"-\". -K/-U stacks are not supported.", "",
            "Examples:",
            "  vigil capable              # trace capability checks",
            "  vigil capable -p 181       # only trace PID 181",
            "  vigil capable -u pid       # one line per process and capability",
            "  vigil capable -x           # extra fields: TID and INSETID",
            "  vigil capable -c CG        # trace processes under cgroup v2 directory CG"})
final class CapableCommand implements ToolCommand {
    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-u", "--unique"}, paramLabel = "pid|cgroup", description = "Print unique output for <pid> or <cgroup>.")
    String unique;

    @Option(names = {"-x", "--extra-fields"}, description = "Extra fields: show TID and INSETID columns.")
    boolean extra;

    @Option(names = {"-K", "--kernel-stack"}, description = "Output kernel stack trace (not supported here).")
    boolean kernelStack;

    @Option(names = {"-U", "--user-stack"}, description = "Output user stack trace (not supported here).")
    boolean userStack;

    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (kernelStack || userStack) {
            throw new IllegalArgumentException((kernelStack ? "-K" : "-U") + ": stack traces are not supported yet");
        }
        Capable.Unique u = Capable.Unique.OFF;
        if (unique != null) {
            u = switch (unique) {
                case "pid" -> Capable.Unique.PID;
                case "cgroup" -> Capable.Unique.CGROUP;
                default -> throw new IllegalArgumentException("-u " + unique + ": expected pid or cgroup");
            };
        }
        var options = new Capable.Options(tool.filters(pid.pid, null, null), u, extra);
        ToolSession session = ToolSession.begin(tool);
        var printer = new Capable.Printer(session.output(tool.json), options);
        return session.stream(Capable.start(options), printer::header, (d, o, l) -> printer.print(Capable.Event.decode(d, o)));
    }
}
