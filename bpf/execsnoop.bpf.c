// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * execsnoop: one record per exec, with argv read at syscall entry (the old image's memory is gone by
 * exit) and the return value and new comm taken at exit. Filters that can run here do: uid, cgroup,
 * failed execs, and the comm substring (-n).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/execsnoop.h"

const volatile __u32 targ_uid = EXECSNOOP_INVALID_UID;
const volatile bool ignore_failed = true;
const volatile __u32 max_args = EXECSNOOP_DEFAULT_MAX_ARGS;
const volatile bool filter_cgroup = false;
const volatile char targ_name[EXECSNOOP_TASK_COMM_LEN] = {};
const volatile __u32 targ_name_len = 0;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* Per-thread event under construction between syscall entry and exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct execsnoop_event);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

static const struct execsnoop_event empty_event = {};

#define LAST_ARG_OFFSET (EXECSNOOP_FULL_MAX_ARGS_ARR - EXECSNOOP_ARGSIZE)

static __always_inline int enter_exec(const char *filename, const char *const *argv)
{
	struct execsnoop_event *event;
	const char *argp;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct task_struct *task;
	long ret;
	__u32 i;

	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_filter, 0))
		return 0;
	if (targ_uid != EXECSNOOP_INVALID_UID && targ_uid != uid)
		return 0;
	if (bpf_map_update_elem(&execs, &tid, &empty_event, BPF_ANY))
		return 0;
	event = bpf_map_lookup_elem(&execs, &tid);
	if (!event)
		return 0;

	task = (struct task_struct *)bpf_get_current_task();
	event->pid = id >> 32;
	event->tid = tid;
	event->uid = uid;
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);

	/* The path exec'ed stands first, as argv[0] may be anything. */
	ret = bpf_probe_read_user_str(event->args, EXECSNOOP_ARGSIZE, filename);
	if (ret < 0)
		ret = 1; /* unreadable path: an empty string */
	event->args_size = ret;
	event->args_count = 1;

	for (i = 1; i < EXECSNOOP_TOTAL_MAX_ARGS; i++) {
		if (i >= max_args)
			break;
		if (bpf_probe_read_user(&argp, sizeof(argp), &argv[i]) || !argp)
			return 0;
		if (event->args_size > LAST_ARG_OFFSET)
			return 0;
		ret = bpf_probe_read_user_str(&event->args[event->args_size], EXECSNOOP_ARGSIZE, argp);
		if (ret < 0)
			return 0;
		event->args_count++;
		event->args_size += ret;
	}
	/* Is there more than we kept? Then user space prints "...". */
	if (i < EXECSNOOP_TOTAL_MAX_ARGS + 1 &&
	    !bpf_probe_read_user(&argp, sizeof(argp), &argv[i]) && argp)
		event->args_truncated = 1;
	return 0;
}

static __always_inline bool comm_matches(const char *comm)
{
	__u32 i, j;

	if (targ_name_len == 0)
		return true;
	for (i = 0; i < EXECSNOOP_TASK_COMM_LEN; i++) {
		bool match = true;

		for (j = 0; j < EXECSNOOP_TASK_COMM_LEN - 1; j++) {
			if (j >= targ_name_len)
				break;
			if (i + j >= EXECSNOOP_TASK_COMM_LEN || comm[i + j] != targ_name[j]) {
				match = false;
				break;
			}
		}
		if (match)
			return true;
		if (comm[i] == '\0')
			break;
	}
	return false;
}

static __always_inline int exit_exec(long retval)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct execsnoop_event *event;
	__u64 len;

	event = bpf_map_lookup_elem(&execs, &tid);
	if (!event)
		return 0;
	if (ignore_failed && retval < 0)
		goto cleanup;
	bpf_get_current_comm(&event->comm, sizeof(event->comm));
	if (!comm_matches(event->comm))
		goto cleanup;
	event->retval = retval;
	event->ts_ns = bpf_ktime_get_boot_ns();

	len = offsetof(struct execsnoop_event, args) + event->args_size;
	if (len > sizeof(*event))
		len = sizeof(*event);
	if (bpf_ringbuf_output(&events, event, len, vigil_submit_flags(&events)))
		vigil_count_drop(EXECSNOOP_KIND_EXEC);
cleanup:
	bpf_map_delete_elem(&execs, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return enter_exec((const char *)ctx->args[0], (const char *const *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return exit_exec(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int tracepoint__syscalls__sys_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return enter_exec((const char *)ctx->args[1], (const char *const *)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int tracepoint__syscalls__sys_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return exit_exec(ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
