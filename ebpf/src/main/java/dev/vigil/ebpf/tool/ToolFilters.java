package dev.vigil.ebpf.tool;

import java.nio.file.Path;

/**
 * The filters every tool may offer, applied in the kernel by {@code vigil_tool_wanted()}
 * (bpf/include/vigil/tool.bpf.h): null means no filter. A container is given as its cgroup v2 directory
 * (the CLI resolves {@code --container ID|NAME} to it), so -c and --container are the same filter.
 *
 * @param pid -p: a process (tgid)
 * @param tid -t: a thread
 * @param uid -u: a user id
 * @param cgroup -c: a cgroup v2 directory; its descendants match too
 */
public record ToolFilters(Integer pid, Integer tid, Integer uid, Path cgroup) {
    public static final ToolFilters NONE = new ToolFilters(null, null, null, null);

    public ToolFilters {
        if (pid != null && pid <= 0) throw new IllegalArgumentException("-p PID must be a positive number, got " + pid);
        if (tid != null && tid <= 0) throw new IllegalArgumentException("-t TID must be a positive number, got " + tid);
        if (uid != null && uid < 0) throw new IllegalArgumentException("-u UID must be a non-negative number, got " + uid);
    }

    public ToolFilters withPid(Integer v) { return new ToolFilters(v, tid, uid, cgroup); }
    public ToolFilters withTid(Integer v) { return new ToolFilters(pid, v, uid, cgroup); }
    public ToolFilters withUid(Integer v) { return new ToolFilters(pid, tid, v, cgroup); }
    public ToolFilters withCgroup(Path v) { return new ToolFilters(pid, tid, uid, v); }
}
