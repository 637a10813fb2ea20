// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mountsnoop: mount, umount2 and the new mount API (fsopen, fsmount, move_mount) at syscall exit, with
 * arguments from the saved user registers (as opensnoop.bpf.c) and the caller's mount namespace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/mountsnoop.h"

VIGIL_RECORD_TYPE(mountsnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

static __always_inline struct mountsnoop_event *start(long ret, __u32 call, __u64 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mountsnoop_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	if (!vigil_tool_wanted())
		return NULL;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(MOUNTSNOOP_KIND_CALL);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->ret = ret;
	e->call = call;
	e->flags = flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

SEC("tracepoint/syscalls/sys_exit_mount")
int handle_exit_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct mountsnoop_event *e;

	if (!regs || !(e = start(ctx->ret, MOUNTSNOOP_MOUNT, regs->r10)))
		return 0;
	bpf_probe_read_user_str(e->src, sizeof(e->src), (const char *)regs->di);
	bpf_probe_read_user_str(e->dest, sizeof(e->dest), (const char *)regs->si);
	bpf_probe_read_user_str(e->fs, sizeof(e->fs), (const char *)regs->dx);
	bpf_probe_read_user_str(e->data, sizeof(e->data), (const char *)regs->r8);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_umount")
int handle_exit_umount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct mountsnoop_event *e;

	if (!regs || !(e = start(ctx->ret, MOUNTSNOOP_UMOUNT, regs->si)))
		return 0;
	bpf_probe_read_user_str(e->dest, sizeof(e->dest), (const char *)regs->di);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_fsopen")
int handle_exit_fsopen(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct mountsnoop_event *e;

	if (!regs || !(e = start(ctx->ret, MOUNTSNOOP_FSOPEN, regs->si)))
		return 0;
	bpf_probe_read_user_str(e->fs, sizeof(e->fs), (const char *)regs->di);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_fsmount")
int handle_exit_fsmount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct mountsnoop_event *e;

	if (!regs || !(e = start(ctx->ret, MOUNTSNOOP_FSMOUNT, regs->si)))
		return 0;
	e->arg = (int)regs->di;
	e->arg2 = (int)regs->dx;
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_move_mount")
int handle_exit_move_mount(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct mountsnoop_event *e;

	if (!regs || !(e = start(ctx->ret, MOUNTSNOOP_MOVE_MOUNT, regs->r8)))
		return 0;
	e->arg = (int)regs->di;
	e->arg2 = (int)regs->dx;
	bpf_probe_read_user_str(e->src, sizeof(e->src), (const char *)regs->si);
	bpf_probe_read_user_str(e->dest, sizeof(e->dest), (const char *)regs->r10);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
