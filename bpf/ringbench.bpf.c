// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Producer for the ring buffer benchmark (bench/ringbuf/run.sh): one 64-byte record per syscall
 * of one process (target_tgid), submitted with Vigil's wakeup policy (vigil_submit_flags: no
 * wakeup until the ring passes vigil_wakeup_bytes) and every failed reserve counted in
 * vigil_drops, so produced = received + dropped can be checked exactly.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/ringbench.h"

const volatile __u32 target_tgid = RINGBENCH_NO_TGID;

/* Never read: puts struct ringbench_record into the object's BTF for the Java layout check. */
const volatile struct ringbench_record ringbench_record_btf = {};

__u64 produced = 0; /* .bss: records attempted (reserved or dropped); also the next seq */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBENCH_DEFAULT_RING_BYTES); /* user space may resize before load */
} ring SEC(".maps");

/* raw sys_enter: args are (struct pt_regs *regs, long id); runs on every syscall system-wide. */
SEC("raw_tp/sys_enter")
int ringbench_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ringbench_record *r;
	__u64 seq;

	if ((__u32)(pid_tgid >> 32) != target_tgid)
		return 0;
	/* one driver thread: the atomic is uncontended; it gives a global order for gap checks */
	seq = __sync_fetch_and_add(&produced, 1);
	r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);
	if (!r) {
		vigil_count_drop(RINGBENCH_KIND_RECORD);
		return 0;
	}
	r->seq = seq;
	r->ts_ns = bpf_ktime_get_ns();
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->cpu = bpf_get_smp_processor_id();
	r->syscall_nr = (__s32)ctx->args[1];
	r->pad[0] = 0;
	r->pad[1] = 0;
	r->pad[2] = 0;
	r->pad[3] = 0;
	bpf_ringbuf_submit(r, vigil_submit_flags(&ring));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
