package dev.vigil.cli;

import dev.vigil.tools.syscount.SysCount;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** syscount with libbpf-tools' flags. */
@Command(name = "syscount", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarize syscall counts and latencies (counted in the kernel), like libbpf-tools' syscount.", "",
            "Examples:",
            "  vigil syscount                 # print top 10 syscalls by count every second... at Ctrl-C",
            "  vigil syscount -p $(pidof dd)  # look only at a particular process",
            "  vigil syscount -L              # measure and sort output by latency",
            "  vigil syscount -P              # group statistics by pid, not by syscall",
            "  vigil syscount -x -i 5         # count only failed syscalls, print every 5 seconds",
            "  vigil syscount -e ENOENT -i 5  # count only syscalls failing with ENOENT",
            "  vigil syscount -c CG           # trace processes under cgroup v2 directory CG"})
final class SysCountCommand implements ToolCommand {
    @Mixin ToolOptions.Pid pid;

    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Print summary at this interval (seconds), 0 for infinite wait (default).")
    int interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total tracing duration (seconds).")
    Integer duration;

    @Option(names = {"-T", "--top"}, paramLabel = "TOP", defaultValue = "10", description = "Print only the top syscalls (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = {"-x", "--failures"}, description = "Trace only failed syscalls.")
    boolean failures;

    @Option(names = {"-e", "--errno"}, paramLabel = "ERRNO", description = "Trace only syscalls that return this error (numeric or EPERM, etc.).")
    String errno;

    @Option(names = {"-L", "--latency"}, description = "Collect syscall latency.")
    boolean latency;

    @Option(names = {"-m", "--milliseconds"}, description = "Display latency in milliseconds (default: microseconds).")
    boolean millis;

    @Option(names = {"-P", "--process"}, description = "Count by process and not by syscall.")
    boolean byProcess;

    @Option(names = {"-l", "--list"}, description = "Print list of recognized syscalls and exit.")
    boolean list;

    @Mixin ToolOptions tool;

    private static final Map<String, Integer> ERRNOS = Map.ofEntries(Map.entry("EPERM", 1), Map.entry("ENOENT", 2),
            Map.entry("ESRCH", 3), Map.entry("EINTR", 4), Map.entry("EIO", 5), Map.entry("EBADF", 9), Map.entry("ECHILD", 10),
            Map.entry("EAGAIN", 11), Map.entry("ENOMEM", 12), Map.entry("EACCES", 13), Map.entry("EFAULT", 14),
            Map.entry("EBUSY", 16), Map.entry("EEXIST", 17), Map.entry("ENOTDIR", 20), Map.entry("EISDIR", 21),
            Map.entry("EINVAL", 22), Map.entry("EMFILE", 24), Map.entry("ENOSPC", 28), Map.entry("ESPIPE", 29),
            Map.entry("EPIPE", 32), Map.entry("ERANGE", 34), Map.entry("ENOSYS", 38), Map.entry("ENOTEMPTY", 39),
            Map.entry("ENOTSOCK", 88), Map.entry("EOPNOTSUPP", 95), Map.entry("EADDRINUSE", 98),
            Map.entry("ECONNREFUSED", 111), Map.entry("ETIMEDOUT", 110), Map.entry("EINPROGRESS", 115));

    @Override
    public Integer call() throws Exception {
        if (list) {
            SysCount.syscalls().values().forEach(System.out::println);
            return 0;
        }
        if (interval < 0) throw new IllegalArgumentException("-i INTERVAL must be 0 or a positive number of seconds, got " + interval);
        if (duration != null && duration <= 0) throw new IllegalArgumentException("-d DURATION must be a positive number of seconds, got " + duration);
        int err = 0;
        if (errno != null) {
            Integer e = ERRNOS.get(errno);
            try {
                err = e != null ? e : Integer.parseInt(errno);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("-e " + errno + ": not an errno number or name (EPERM, ENOENT, ...)");
            }
            if (err <= 0) throw new IllegalArgumentException("-e " + errno + ": not an errno number or name (EPERM, ENOENT, ...)");
        }
        var options = new SysCount.Options(tool.filters(pid.pid, null, null), failures || errno != null, err, latency, millis, byProcess, top);
        ToolSession session = ToolSession.begin(tool);
        var printer = new SysCount.Printer(session.output(tool.json), options);
        var syscount = SysCount.start(options);
        if (duration != null) {
            syscount.stopAfter(Duration.ofSeconds(duration));
        }
        return session.run(syscount, t -> {
            printer.banner();
            session.flush();
            if (interval > 0) {
                while (!t.awaitStop(Duration.ofSeconds(interval))) {
                    printer.print(SysCount.drain(t, options));
                    session.flush();
                }
            } else {
                t.awaitStop();
            }
            var last = SysCount.drain(t, options);
            if (interval == 0 || !last.isEmpty()) {
                printer.print(last);
            }
        });
    }
}
