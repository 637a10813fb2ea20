// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * opensnoop. One program per syscall, at exit only: the arguments are read from the task's saved user
 * registers (vigil_user_regs), so there is no entry program and no per-thread map, unlike libbpf-tools'
 * enter/exit pair; at exit the kernel has already copied the path in, so reading it cannot fault.
 * The record is reserved in the ring and filled in place, submitted without a wakeup (ringbuf.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/opensnoop.h"

const volatile bool targ_failed = false; /* -x */

VIGIL_RECORD_TYPE(opensnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
} events SEC(".maps");

static __always_inline int emit(long ret, int dirfd, const char *path, __u64 flags, __u32 mode)
{
	struct opensnoop_event *e;
	char comm[VIGIL_TASK_COMM_LEN];
	__u64 id;

	if (targ_failed && ret >= 0)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!vigil_comm_contains(comm))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(OPENSNOOP_KIND_OPEN);
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->flags = flags;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->mode = mode;
	e->dirfd = dirfd;
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int handle_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	if (!regs)
		return 0;
	return emit(ctx->ret, -100, (const char *)regs->di, regs->si, regs->dx);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	if (!regs)
		return 0;
	return emit(ctx->ret, (int)regs->di, (const char *)regs->si, regs->dx, regs->r10);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct open_how how = {};

	if (!regs)
		return 0;
	bpf_probe_read_user(&how, sizeof(how), (const void *)regs->dx);
	return emit(ctx->ret, (int)regs->di, (const char *)regs->si, how.flags, (__u32)how.mode);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
