package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.tool.Log2Histogram;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.uprobe.FuncLatency;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** funclatency with libbpf-tools' flags: -i INTERVAL and -d DURATION are options, as there. */
@Command(name = "funclatency", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time functions and print latency as a histogram, like libbpf-tools' funclatency.", "",
            "FUNCTION: FUNC (a kernel function: needs kprobes), LIB:FUNC (a library, as mapped into -p PID or on",
            "the library path), PROG:FUNC (a program by path or on PATH), :FUNC (the binary of -p PID).", "",
            "Examples:",
            "  vigil funclatency c:getaddrinfo         # time getaddrinfo() in libc, every process",
            "  vigil funclatency -u -p 181 c:read      # time the read() C library function of PID 181, in microseconds",
            "  vigil funclatency -p 181 :foo           # time foo() from pid 181's executable",
            "  vigil funclatency -m /usr/bin/bash:readline  # time bash's readline(), in milliseconds",
            "  vigil funclatency -i 2 -d 10 c:malloc   # output every 2 seconds, for 10 s",
            "  vigil funclatency -mTi 5 vfs_read       # a kernel function, every 5 s with timestamps (kprobes)"})
final class FuncLatencyCommand implements ToolCommand {
    @Option(names = {"-m", "--milliseconds"}, description = "Output in milliseconds.")
    boolean millis;

    @Option(names = {"-u", "--microseconds"}, description = "Output in microseconds.")
    boolean micros;

    @Mixin
    ToolOptions.Pid pid;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Duration to trace, in seconds.")
    Integer duration;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval in seconds.")
    Integer interval;

    @Option(names = {"-T", "--timestamp"}, description = "Print timestamp.")
    boolean timestamp;

    @Parameters(index = "0", paramLabel = "FUNCTION", description = "The function to time (see above).")
    String function;

    @Mixin
    ToolOptions tool;

    @Override
    public Integer call() throws Exception {
        if (millis && micros) {
            throw new IllegalArgumentException("-m and -u are mutually exclusive");
        }
        Intervals.validate(interval, duration);
        FuncLatency.Target target = FuncLatency.Target.parse(function, pid.pid);
        FuncLatency.Unit unit = millis ? FuncLatency.Unit.MSECS : micros ? FuncLatency.Unit.USECS : FuncLatency.Unit.NSECS;
        var options = new FuncLatency.Options(tool.filters(pid.pid, null, null), target, unit);
        ToolSession session = ToolSession.begin(tool);
        var started = FuncLatency.start(options);
        ToolOutput out = session.output(tool.json);
        return Intervals.runTimed(session, started, out, tool.json ? null : "Tracing " + function + ".  Hit Ctrl-C to exit",
                tool.json ? null : "Exiting trace of " + function, interval, duration,
                t -> out.printHistograms(List.of(FuncLatency.drain(t)), h -> h, unit.label(), timestamp, new ToolOutput.HistogramLabels<>() {
                    @Override
                    public void json(JsonGenerator g, Log2Histogram h) throws IOException {
                        g.writeStringField("function", function);
                    }

                    @Override
                    public void text(ToolOutput o, Log2Histogram h) {}
                }));
    }
}
