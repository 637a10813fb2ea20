// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * runqlen: run queue length sampled on each CPU by the software cpu-clock (libbpf-tools' runqlen): at each
 * tick, how many tasks wait in the CFS run queue of the interrupted task, as a linear histogram (per CPU
 * with -C). libbpf-tools reads cfs_rq->nr_running, which 6.14 renamed nr_queued: its CO-RE relocation
 * fails there; this reads whichever the kernel has.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/tool.bpf.h"
#include "vigil/runqlen.h"

const volatile bool targ_per_cpu = false; /* -C */

VIGIL_RECORD_TYPE(runqlen_hist);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_RUNQLEN_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct runqlen_hist);
} hists SEC(".maps");

struct cfs_rq___pre614 {
	unsigned int nr_running;
} __attribute__((preserve_access_index));

static __always_inline __u64 cfs_queued(struct cfs_rq *cfs)
{
	if (bpf_core_field_exists(cfs->nr_queued))
		return BPF_CORE_READ(cfs, nr_queued);
	return BPF_CORE_READ((struct cfs_rq___pre614 *)cfs, nr_running);
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 cpu = targ_per_cpu ? bpf_get_smp_processor_id() : 0;
	struct runqlen_hist *h;
	__u64 len;

	len = cfs_queued(BPF_CORE_READ(task, se.cfs_rq));
	if (len > 0)
		len--; /* the running task is not waiting */
	if (len >= VIGIL_RUNQLEN_SLOTS)
		len = VIGIL_RUNQLEN_SLOTS - 1;
	h = bpf_map_lookup_elem(&hists, &cpu);
	if (h)
		__sync_fetch_and_add(&h->slots[len], 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
