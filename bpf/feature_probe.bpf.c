// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tiny programs, one per hook kind, that the feature probe loads (and for some, attaches) one at a
 * time to learn what this kernel allows. None of them does anything when run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_tracepoint(void *ctx) { return 0; }

SEC("raw_tp/sys_enter")
int probe_raw_tracepoint(void *ctx) { return 0; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_btf_tracepoint, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) { return 0; }

SEC("kprobe/do_sys_openat2")
int probe_kprobe(struct pt_regs *ctx) { return 0; }

SEC("fentry/do_sys_openat2")
int BPF_PROG(probe_fentry) { return 0; }

/* Returning 0 allows: attaching this for an instant changes nothing. */
SEC("lsm/file_open")
int BPF_PROG(probe_lsm, struct file *file) { return 0; }

SEC("cgroup/connect4")
int probe_cgroup_sock_addr(struct bpf_sock_addr *ctx) { return 1; }

SEC("tc")
int probe_tc(struct __sk_buff *skb) { return 0; }

SEC("xdp")
int probe_xdp(struct xdp_md *ctx) { return XDP_PASS; }

SEC("uprobe")
int probe_uprobe(struct pt_regs *ctx) { return 0; }

SEC("perf_event")
int probe_perf_event(struct bpf_perf_event_data *ctx) { return 0; }

/* Loaded, never attached: tells whether bpf_send_signal is allowed (kill-at-exec enforcement). */
SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_send_signal(void *ctx)
{
	if (bpf_get_current_pid_tgid() == 0)
		bpf_send_signal(9);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
