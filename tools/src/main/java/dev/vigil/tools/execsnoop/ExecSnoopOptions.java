package dev.vigil.tools.execsnoop;

import java.nio.file.Path;

/**
 * What execsnoop traces, with libbpf-tools' meanings. Filters marked (kernel) never reach user space.
 *
 * @param includeFailed -x: report failed execs too (attaches the execve/execveat syscall tracepoints)
 * @param uid -u: only this uid, or null (kernel)
 * @param name -n: only when the new comm contains this (kernel, at most 15 characters)
 * @param line -l: only when the arguments contain this (user space)
 * @param maxArgs --max-args: arguments captured, 1..60 (kernel)
 * @param cgroup -c: only processes in this cgroup v2 directory or below, or null (kernel)
 */
public record ExecSnoopOptions(boolean includeFailed, Integer uid, String name, String line, int maxArgs, Path cgroup) {
    public static final int MAX_NAME = ExecEvent.COMM_LEN - 1;

    public ExecSnoopOptions {
        if (maxArgs < 1 || maxArgs > ExecEvent.TOTAL_MAX_ARGS) {
            throw new IllegalArgumentException("--max-args must be between 1 and " + ExecEvent.TOTAL_MAX_ARGS + ", got " + maxArgs);
        }
        if (name != null && (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME)) {
            throw new IllegalArgumentException("-n NAME must be 1 to " + MAX_NAME + " bytes (a process name, comm, is at most 15)");
        }
        if (uid != null && uid < 0) {
            throw new IllegalArgumentException("-u UID must be a non-negative number, got " + uid);
        }
    }

    public static ExecSnoopOptions defaults() {
        return new ExecSnoopOptions(false, null, null, null, ExecEvent.DEFAULT_MAX_ARGS, null);
    }

    public ExecSnoopOptions withIncludeFailed(boolean v) { return new ExecSnoopOptions(v, uid, name, line, maxArgs, cgroup); }
    public ExecSnoopOptions withUid(Integer v) { return new ExecSnoopOptions(includeFailed, v, name, line, maxArgs, cgroup); }
    public ExecSnoopOptions withName(String v) { return new ExecSnoopOptions(includeFailed, uid, v, line, maxArgs, cgroup); }
    public ExecSnoopOptions withLine(String v) { return new ExecSnoopOptions(includeFailed, uid, name, v, maxArgs, cgroup); }
    public ExecSnoopOptions withMaxArgs(int v) { return new ExecSnoopOptions(includeFailed, uid, name, line, v, cgroup); }
    public ExecSnoopOptions withCgroup(Path v) { return new ExecSnoopOptions(includeFailed, uid, name, line, maxArgs, v); }
}
