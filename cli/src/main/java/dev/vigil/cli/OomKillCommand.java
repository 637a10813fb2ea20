package dev.vigil.cli;

import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.oomkill.OomKill;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** oomkill, on the oom:mark_victim tracepoint. */
@Command(name = "oomkill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trace OOM kills (oom:mark_victim), like libbpf-tools' oomkill.",
            "The trigger is the task whose allocation invoked the OOM killer; \"N pages\" is the victim's resident",
            "set in 4 KiB pages (libbpf-tools prints the OOM control's total pages, which this hook does not carry).", "",
            "Examples:",
            "  vigil oomkill              # trace OOM kills",
            "  vigil oomkill --json       # one JSON object a kill"})
final class OomKillCommand implements ToolCommand {
    @Mixin ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        ToolSession session = ToolSession.begin(tool);
        ToolOutput out = session.output(tool.json);
        return session.stream(OomKill.start(tool.filters(null, null, null)), () -> {
            if (!out.json()) out.print("Tracing OOM kills... Ctrl-C to stop.\n");
        }, (d, o, l) -> OomKill.print(out, OomKill.Event.decode(d, o)));
    }
}
