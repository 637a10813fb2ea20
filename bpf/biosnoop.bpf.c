// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * biosnoop: one record per block I/O request at completion, with its issuer, disk, operation, sector,
 * size and latency (libbpf-tools' biosnoop). The issuer is taken where the request starts: the
 * block_io_start tracepoint (6.5+; libbpf-tools needs fentry/kprobes on blk_account_io_start before
 * that, which this kernel refuses), else the first of block_rq_insert/issue, which for direct I/O run in
 * the submitter. Latency from block_rq_issue (-Q: from block_rq_insert) to block_rq_complete.
 * tp_btf, with raw_tp where BTF tracepoints are missing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/block.bpf.h"
#include "vigil/biosnoop.h"

const volatile bool targ_queued = false; /* -Q */
const volatile bool filter_dev = false;  /* -d */
const volatile __u32 targ_dev = 0;

VIGIL_RECORD_TYPE(vigil_biosnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct issuer {
	__u32 pid;
	char comm[16];
};

struct stage {
	__u64 insert;
	__u64 issue;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct issuer);
} issuers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct stage);
} start SEC(".maps");

/* The issuer, once per request: the current task when the request enters the block layer. */
static __always_inline void note_issuer(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct issuer i = {};

	if (bpf_map_lookup_elem(&issuers, &key))
		return;
	if (!vigil_tool_wanted())
		return;
	i.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(&i.comm, sizeof(i.comm));
	bpf_map_update_elem(&issuers, &key, &i, BPF_NOEXIST);
}

static __always_inline int io_start(struct request *rq)
{
	if (filter_dev && vigil_rq_dev(rq) != targ_dev)
		return 0;
	note_issuer(rq);
	return 0;
}

static __always_inline int rq_start(struct request *rq, bool insert)
{
	__u64 key = (__u64)rq, ts;
	struct stage *s, fresh = {};

	if (filter_dev && vigil_rq_dev(rq) != targ_dev)
		return 0;
	note_issuer(rq);
	if (filter_cgroup && !bpf_map_lookup_elem(&issuers, &key))
		return 0; /* -c: the issuer was not in the cgroup */
	ts = bpf_ktime_get_ns();
	s = bpf_map_lookup_elem(&start, &key);
	if (!s) {
		s = &fresh;
	}
	if (insert)
		s->insert = ts;
	else
		s->issue = ts;
	if (s == &fresh)
		bpf_map_update_elem(&start, &key, s, BPF_ANY);
	return 0;
}

/* The kernel's blk_fill_rwbs, with the flag bits read from this kernel's BTF. */
static __always_inline void fill_rwbs(char *rwbs, __u32 flags)
{
	int i = 0;

	if (flags & (1U << bpf_core_enum_value(enum req_flag_bits, __REQ_PREFLUSH)))
		rwbs[i++] = 'F';
	switch (flags & 0xff) {
	case 1: rwbs[i++] = 'W'; break;           /* REQ_OP_WRITE */
	case 3: rwbs[i++] = 'D'; break;           /* REQ_OP_DISCARD */
	case 5: rwbs[i++] = 'D'; rwbs[i++] = 'E'; break; /* REQ_OP_SECURE_ERASE */
	case 2: rwbs[i++] = 'F'; break;           /* REQ_OP_FLUSH */
	case 0: rwbs[i++] = 'R'; break;           /* REQ_OP_READ */
	default: rwbs[i++] = 'N';
	}
	if (flags & (1U << bpf_core_enum_value(enum req_flag_bits, __REQ_FUA)))
		rwbs[i++] = 'F';
	if (flags & (1U << bpf_core_enum_value(enum req_flag_bits, __REQ_RAHEAD)))
		rwbs[i++] = 'A';
	if (flags & (1U << bpf_core_enum_value(enum req_flag_bits, __REQ_SYNC)))
		rwbs[i++] = 'S';
	if (flags & (1U << bpf_core_enum_value(enum req_flag_bits, __REQ_META)))
		rwbs[i++] = 'M';
}

static __always_inline int rq_done(struct request *rq)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct vigil_biosnoop_event e = {};
	struct issuer *who;
	struct stage *s;

	s = bpf_map_lookup_elem(&start, &key);
	if (!s)
		goto cleanup;
	if (!s->issue || now < s->issue)
		goto cleanup;
	e.delta_ns = now - s->issue;
	e.qdelta_ns = s->insert && s->insert <= s->issue ? s->issue - s->insert : VIGIL_BIOSNOOP_NO_QUEUE;
	who = bpf_map_lookup_elem(&issuers, &key);
	if (who) {
		e.pid = who->pid;
		__builtin_memcpy(e.comm, who->comm, sizeof(e.comm));
	} else {
		e.comm[0] = '?';
	}
	e.ts_ns = now;
	e.sector = BPF_CORE_READ(rq, __sector);
	e.bytes = BPF_CORE_READ(rq, __data_len);
	e.cmd_flags = BPF_CORE_READ(rq, cmd_flags);
	e.dev = vigil_rq_dev(rq);
	fill_rwbs(e.rwbs, e.cmd_flags);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_BIOSNOOP_KIND_EVENT);
cleanup:
	bpf_map_delete_elem(&start, &key);
	bpf_map_delete_elem(&issuers, &key);
	return 0;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(block_io_start_btf, struct request *rq) { return io_start(rq); }

SEC("tp_btf/block_rq_insert")
int BPF_PROG(block_rq_insert_btf, struct request *rq) { return rq_start(rq, true); }

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue_btf, struct request *rq) { return rq_start(rq, false); }

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete_btf, struct request *rq) { return rq_done(rq); }

SEC("raw_tp/block_io_start")
int BPF_PROG(block_io_start_raw, struct request *rq) { return io_start(rq); }

SEC("raw_tp/block_rq_insert")
int BPF_PROG(block_rq_insert_raw, struct request *rq) { return rq_start(rq, true); }

SEC("raw_tp/block_rq_issue")
int BPF_PROG(block_rq_issue_raw, struct request *rq) { return rq_start(rq, false); }

SEC("raw_tp/block_rq_complete")
int BPF_PROG(block_rq_complete_raw, struct request *rq) { return rq_done(rq); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
