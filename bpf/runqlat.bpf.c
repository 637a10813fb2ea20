// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runqlat: how long runnable tasks wait for a CPU, as a log2 histogram (libbpf-tools' runqlat): the
 * time from wakeup (or preemption) to running, from sched_wakeup, sched_wakeup_new and sched_switch.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/tool.bpf.h"
#include "vigil/sched.bpf.h"
#include "vigil/runqlat.h"

const volatile bool targ_per_process = false; /* -P */
const volatile bool targ_per_thread = false;  /* -L */
const volatile bool targ_ms = false;          /* -m */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} hists SEC(".maps");

/* The woken task is not current: -p and -t apply to it; -c (like libbpf-tools) to the waker. */
static __always_inline bool task_wanted(struct task_struct *p)
{
	if (targ_pid && BPF_CORE_READ(p, tgid) != targ_pid)
		return false;
	if (targ_tid && BPF_CORE_READ(p, pid) != targ_tid)
		return false;
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_filter, 0))
		return false;
	return true;
}

static __always_inline void enqueue(struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, pid);
	__u64 ts;

	if (!pid || !task_wanted(p))
		return;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
}

static __always_inline int on_switch(struct task_struct *prev, struct task_struct *next)
{
	static const struct runqlat_hist zero;
	struct runqlat_hist *h;
	__u32 pid, key;
	__u64 *tsp, delta;

	if (vigil_task_state(prev) == VIGIL_TASK_RUNNING) /* preempted: back on the run queue */
		enqueue(prev);
	pid = BPF_CORE_READ(next, pid);
	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&start, &pid);
	if ((__s64)delta < 0)
		return 0;
	key = targ_per_process ? BPF_CORE_READ(next, tgid) : targ_per_thread ? pid : (__u32)-1;
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
		if (targ_per_process || targ_per_thread)
			bpf_probe_read_kernel_str(&h->comm, sizeof(h->comm), next->comm);
	}
	vigil_hist_add(&h->hist, targ_ms ? delta / 1000000 : delta / 1000);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup_btf, struct task_struct *p) { enqueue(p); return 0; }

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p) { enqueue(p); return 0; }

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(prev, next);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup_raw, struct task_struct *p) { enqueue(p); return 0; }

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p) { enqueue(p); return 0; }

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(prev, next);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
