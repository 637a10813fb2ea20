// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * offcputime: at every context switch, remember when (and with which stacks) the task leaving the CPU
 * left; when it runs again, add the time it was off CPU to its stacks (libbpf-tools' offcputime).
 * sched_switch runs in the context of the task leaving, so its stacks are the ones that blocked.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/tool.bpf.h"
#include "vigil/stacks.bpf.h"
#include "vigil/sched.bpf.h"

#define PF_KTHREAD 0x00200000

const volatile bool kernel_threads_only = false; /* -k */
const volatile bool user_threads_only = false;   /* -u */
const volatile bool kernel_stacks_only = false;  /* -K */
const volatile bool user_stacks_only = false;    /* -U */
const volatile __u64 min_block_ns = 1000;        /* -m, in us from user space */
const volatile __u64 max_block_ns = -1;          /* -M */
const volatile long state = -1;                  /* --state: only tasks leaving in this state */

struct offcpu_start {
	__u64 ts;
	struct vigil_stack_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct offcpu_start);
} start SEC(".maps");

static __always_inline bool wanted(struct task_struct *t)
{
	bool kthread = BPF_CORE_READ(t, flags) & PF_KTHREAD;

	if (kernel_threads_only && !kthread)
		return false;
	if (user_threads_only && kthread)
		return false;
	if (state != -1 && vigil_task_state(t) != state)
		return false;
	return vigil_tool_wanted(); /* current is prev here */
}

static __always_inline int handle_switch(void *ctx, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = BPF_CORE_READ(prev, pid);
	__u64 now = bpf_ktime_get_ns();
	struct offcpu_start *s;

	if (pid && wanted(prev)) {
		struct offcpu_start v = {.ts = now};

		v.key.pid = pid;
		v.key.tgid = BPF_CORE_READ(prev, tgid);
		bpf_probe_read_kernel_str(&v.key.comm, sizeof(v.key.comm), prev->comm);
		v.key.user_stack_id = kernel_stacks_only ? -14 : bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
		v.key.kern_stack_id = user_stacks_only ? -14 : bpf_get_stackid(ctx, &stackmap, 0);
		bpf_map_update_elem(&start, &pid, &v, BPF_ANY);
	}

	pid = BPF_CORE_READ(next, pid);
	s = bpf_map_lookup_elem(&start, &pid);
	if (!s)
		return 0;
	__u64 delta = now - s->ts;
	if (delta >= min_block_ns && delta <= max_block_ns)
		vigil_stack_count(&s->key, delta / 1000);
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(ctx, prev, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(ctx, prev, next);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
