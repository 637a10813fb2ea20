// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One counting program per attach kind, for the library's link tests. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;

enum { HIT_UPROBE, HIT_RAW_TP, HIT_BTF_TP, HIT_CGROUP_CONNECT4, HIT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void hit(__u32 kind)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &kind);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline bool is_target(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("uprobe")
int count_uprobe(struct pt_regs *ctx)
{
	if (is_target())
		hit(HIT_UPROBE);
	return 0;
}

SEC("raw_tp/sys_enter")
int count_raw_tp(struct bpf_raw_tracepoint_args *ctx)
{
	if (is_target() && ctx->args[1] == 110 /* __NR_getppid */)
		hit(HIT_RAW_TP);
	return 0;
}

/* Counts execs whose parent is the target: the test execs children. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(count_btf_tp, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (p->real_parent->tgid == target_tgid)
		hit(HIT_BTF_TP);
	return 0;
}

/* Allows every connect, counting those from the cgroup it is attached to. */
SEC("cgroup/connect4")
int count_connect4(struct bpf_sock_addr *ctx)
{
	hit(HIT_CGROUP_CONNECT4);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
