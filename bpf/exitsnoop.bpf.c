// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * exitsnoop: process (or, with -T, thread) exits from sched:sched_process_exit, which runs in the exiting
 * task and costs other syscalls nothing (not a syscall tracepoint).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/exitsnoop.h"

const volatile bool trace_failed_only = false; /* -x */
const volatile bool trace_by_process = true;   /* without -T: a process's exit, once, from its main thread */

VIGIL_RECORD_TYPE(exitsnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct exitsnoop_event *e;
	int exit_code;

	if (trace_by_process && (id >> 32) != (__u32)id)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	exit_code = BPF_CORE_READ(task, exit_code);
	if (trace_failed_only && exit_code == 0)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(EXITSNOOP_KIND_EXIT);
		return 0;
	}
	e->start_ns = BPF_CORE_READ(task, start_time);
	e->exit_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = exit_code >> 8;
	e->sig = exit_code & 0xff;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
