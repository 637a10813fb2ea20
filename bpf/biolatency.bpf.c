// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * biolatency: block I/O latency as log2 histograms (libbpf-tools' biolatency): from issue (or with -Q
 * from insertion into the queue) to completion, from the block_rq_* tracepoints (tp_btf, raw_tp fallback).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/tool.bpf.h"
#include "vigil/block.bpf.h"
#include "vigil/biolatency.h"

const volatile bool targ_per_disk = false;  /* -D */
const volatile bool targ_per_flag = false;  /* -F */
const volatile bool targ_queued = false;    /* -Q */
const volatile bool targ_ms = false;        /* -m */
const volatile bool filter_dev = false;     /* -d */
const volatile __u32 targ_dev = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct biolatency_key);
	__type(value, struct vigil_hist);
} hists SEC(".maps");

static __always_inline int trace_start(struct request *rq, bool insert)
{
	__u64 key = (__u64)rq, ts;

	if (insert != targ_queued)
		return 0;
	if (filter_dev && vigil_rq_dev(rq) != targ_dev)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &key, &ts, BPF_ANY);
	return 0;
}

static __always_inline int trace_done(struct request *rq)
{
	static const struct vigil_hist zero;
	struct biolatency_key hkey = {};
	struct vigil_hist *h;
	__u64 key = (__u64)rq, *tsp, delta;

	tsp = bpf_map_lookup_elem(&start, &key);
	if (!tsp)
		return 0;
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&start, &key);
	if ((__s64)delta < 0)
		return 0;
	if (targ_per_disk)
		hkey.dev = vigil_rq_dev(rq);
	if (targ_per_flag)
		hkey.flags = BPF_CORE_READ(rq, cmd_flags);
	h = bpf_map_lookup_elem(&hists, &hkey);
	if (!h) {
		bpf_map_update_elem(&hists, &hkey, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &hkey);
		if (!h)
			return 0;
	}
	vigil_hist_add(h, targ_ms ? delta / 1000000 : delta / 1000);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(block_rq_insert_btf, struct request *rq) { return trace_start(rq, true); }

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue_btf, struct request *rq) { return trace_start(rq, false); }

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete_btf, struct request *rq) { return trace_done(rq); }

SEC("raw_tp/block_rq_insert")
int BPF_PROG(block_rq_insert_raw, struct request *rq) { return trace_start(rq, true); }

SEC("raw_tp/block_rq_issue")
int BPF_PROG(block_rq_issue_raw, struct request *rq) { return trace_start(rq, false); }

SEC("raw_tp/block_rq_complete")
int BPF_PROG(block_rq_complete_raw, struct request *rq) { return trace_done(rq); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
