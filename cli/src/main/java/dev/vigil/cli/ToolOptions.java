package dev.vigil.cli;

import dev.vigil.containers.ContainerCgroups;
import dev.vigil.ebpf.tool.ToolFilters;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options every tool command shares, as picocli mixins, so no command declares them again. Each tool
 * takes {@link ToolOptions} and adds the mixins its libbpf-tools namesake has ({@code -t} is a TID in
 * opensnoop but a timestamp in execsnoop, so the letters that differ stay per command).
 */
final class ToolOptions {
    @Option(names = {"-c", "--cgroup"}, paramLabel = "CG", description = "Trace processes in this cgroup v2 directory only (and below).")
    Path cgroup;

    @Option(names = "--container", paramLabel = "ID|NAME",
            description = "Trace processes of this running container only (Docker name or id, any runtime's id prefix).")
    String container;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    /** -c, or the cgroup of --container; null for neither. */
    Path cgroupFilter() {
        if (cgroup != null && container != null) {
            throw new IllegalArgumentException("-c and --container cannot be combined (a container is a cgroup)");
        }
        return container != null ? ContainerCgroups.find(container, ContainerCgroups.dockerSocket()) : cgroup;
    }

    /** The in-kernel filters from these options and the per-command -p/-t/-u (each may be null). */
    ToolFilters filters(Integer pid, Integer tid, Integer uid) {
        return new ToolFilters(pid, tid, uid, cgroupFilter());
    }

    /** -p PID */
    static final class Pid {
        @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this process (tgid) only.")
        Integer pid;
    }

    /** -t TID */
    static final class Tid {
        @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this thread only.")
        Integer tid;
    }

    /** -u UID */
    static final class Uid {
        @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Trace this user id only.")
        Integer uid;
    }

    /** interval [count], as BCC's summary tools take them. */
    static final class Interval {
        @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Seconds between outputs (default: one output at the end).")
        Integer interval;

        @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs (default: until Ctrl-C).")
        Integer count;

        void validate() {
            if (interval != null && interval <= 0) throw new IllegalArgumentException("interval must be a positive number of seconds, got " + interval);
            if (count != null && count <= 0) throw new IllegalArgumentException("count must be a positive number, got " + count);
            if (count != null && interval == null) throw new IllegalArgumentException("count needs an interval");
        }
    }
}
