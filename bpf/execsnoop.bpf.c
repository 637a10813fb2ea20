// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * execsnoop. A successful exec is reported from sched_process_exec, where the new image's argument
 * area and the kernel's copy of the path are always readable: reading them at syscall entry, as
 * BCC's and libbpf-tools' execsnoop do, loses every path that is a string literal of a freshly forked
 * child (its file-backed page is not mapped yet, and BPF cannot fault it in). sched_process_exec is
 * also not a syscall tracepoint, so without -x other syscalls pay nothing (PLATFORM.md).
 * Failed execs (-x) need the syscall tracepoints: the pointers are stashed at entry and read at exit,
 * after the kernel's own copy of the path has faulted it in.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/execsnoop.h"

const volatile __u32 max_args = EXECSNOOP_DEFAULT_MAX_ARGS;

/* -x: user pointers of an exec in flight, by thread. */
struct exec_args {
	const char *filename;
	const char *const *argv;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct exec_args);
} pending SEC(".maps");

/* Scratch for building a record, by thread (a per-CPU buffer could be reused by a preempting task). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct execsnoop_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

static const struct execsnoop_event empty_event = {};

#define LAST_ARG_OFFSET (EXECSNOOP_FULL_MAX_ARGS_ARR - EXECSNOOP_ARGSIZE)

/* A zeroed record for this thread, with identity, credentials and comm filled in; NULL if filtered. */
static __always_inline struct execsnoop_event *start_event(__u32 tid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct execsnoop_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	if (bpf_map_update_elem(&scratch, &tid, &empty_event, BPF_ANY))
		return NULL;
	e = bpf_map_lookup_elem(&scratch, &tid);
	if (!e)
		return NULL;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	if (!vigil_comm_contains(e->comm)) {
		bpf_map_delete_elem(&scratch, &tid);
		return NULL;
	}
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	return e;
}

static __always_inline void emit(struct execsnoop_event *e, __u32 tid, __u32 kind)
{
	__u64 len = offsetof(struct execsnoop_event, args) + e->args_size;

	if (len > sizeof(*e))
		len = sizeof(*e);
	e->ts_ns = bpf_ktime_get_boot_ns();
	if (bpf_ringbuf_output(&events, e, len, vigil_submit_flags(&events)))
		vigil_count_drop(kind);
	bpf_map_delete_elem(&scratch, &tid);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 old_tid = old_pid;
	struct execsnoop_event *e;
	unsigned long start, end, size;

	bpf_map_delete_elem(&pending, &old_tid); /* the exec succeeded: nothing to report at exit */
	if (!vigil_tool_wanted())
		return 0;
	e = start_event(tid);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	start = p->mm->arg_start;
	end = p->mm->arg_end;
	size = end > start ? end - start : 0;
	if (size > EXECSNOOP_FULL_MAX_ARGS_ARR) {
		size = EXECSNOOP_FULL_MAX_ARGS_ARR;
		e->args_truncated = 1;
	}
	if (bpf_probe_read_user(e->args, size, (const void *)start))
		size = 0;
	e->args_size = size;
	emit(e, tid, EXECSNOOP_KIND_EXEC);
	return 0;
}

static __always_inline int enter_exec(const char *filename, const char *const *argv)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_args args = { .filename = filename, .argv = argv };

	if (!vigil_tool_wanted())
		return 0;
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
	return 0;
}

static __always_inline int exit_exec(long retval)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct execsnoop_event *e;
	struct exec_args *args;
	const char *argp;
	long ret;
	__u32 i;

	args = bpf_map_lookup_elem(&pending, &tid);
	if (!args)
		return 0;
	if (retval >= 0 || !(e = start_event(tid)))
		goto out;
	e->retval = retval;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), args->filename);
	for (i = 0; i < EXECSNOOP_TOTAL_MAX_ARGS; i++) {
		if (i >= max_args) {
			if (!bpf_probe_read_user(&argp, sizeof(argp), &args->argv[i]) && argp)
				e->args_truncated = 1;
			break;
		}
		if (bpf_probe_read_user(&argp, sizeof(argp), &args->argv[i]) || !argp)
			break;
		if (e->args_size > LAST_ARG_OFFSET)
			break;
		ret = bpf_probe_read_user_str(&e->args[e->args_size], EXECSNOOP_ARGSIZE, argp);
		if (ret < 0)
			break;
		e->args_size += ret;
	}
	emit(e, tid, EXECSNOOP_KIND_FAILED_EXEC);
out:
	bpf_map_delete_elem(&pending, &tid);
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
