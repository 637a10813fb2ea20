// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcpconnlat: how long active TCP opens take, from the SYN sent to the SYN-ACK that establishes them
 * (libbpf-tools' tcpconnlat). Where kprobes exist, its hooks: tcp_v4/v6_connect start the clock and
 * tcp_rcv_state_process on a SYN_SENT socket stops it. Elsewhere sock:inet_sock_set_state:
 * CLOSE -> SYN_SENT (in the caller's context) starts it, SYN_SENT -> ESTABLISHED (softirq) stops it.
 * Either way the caller is remembered per socket when the clock starts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"

const volatile __u64 targ_min_ns = 0; /* the min_ms argument */

VIGIL_RECORD_TYPE(vigil_tcp_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct piddata {
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	char comm[16];
};

/* LRU: a connect that never completes (refused on the kprobe path, a killed caller) ages out */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct piddata);
} start SEC(".maps");

static __always_inline int start_clock(__u64 sk)
{
	struct piddata p = {};
	__u64 id;

	if (!vigil_tool_wanted())
		return 0;
	id = bpf_get_current_pid_tgid();
	p.pid = id >> 32;
	p.tid = (__u32)id;
	p.uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(&p.comm, sizeof(p.comm));
	p.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &sk, &p, BPF_ANY);
	return 0;
}

/* Fills e's caller and latency from the socket's entry (removing it); false when not wanted. */
static __always_inline bool stop_clock(__u64 sk, struct vigil_tcp_event *e)
{
	struct piddata *p = bpf_map_lookup_elem(&start, &sk);
	__u64 now = bpf_ktime_get_ns();

	if (!p)
		return false;
	if (now < p->ts || now - p->ts < targ_min_ns) {
		bpf_map_delete_elem(&start, &sk);
		return false;
	}
	e->latency_ns = now - p->ts;
	e->pid = p->pid;
	e->tid = p->tid;
	e->uid = p->uid;
	__builtin_memcpy(e->comm, p->comm, sizeof(e->comm));
	bpf_map_delete_elem(&start, &sk);
	return true;
}

static __always_inline void submit(struct vigil_tcp_event *e)
{
	e->ts_ns = bpf_ktime_get_boot_ns();
	if (bpf_ringbuf_output(&events, e, sizeof(*e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_TCP_KIND_EVENT);
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	int oldstate = ctx->oldstate, newstate = ctx->newstate;
	struct vigil_tcp_event e = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		return start_clock(sk);
	if (oldstate != TCP_SYN_SENT)
		return 0;
	if (newstate != TCP_ESTABLISHED) { /* refused or timed out: no latency to report */
		bpf_map_delete_elem(&start, &sk);
		return 0;
	}
	if (!stop_clock(sk, &e))
		return 0;
	vigil_tcp_addrs(ctx, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
	submit(&e);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_entry, struct sock *sk) { return start_clock((__u64)sk); }

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect_entry, struct sock *sk) { return start_clock((__u64)sk); }

/* Every segment of a socket not yet established passes here; the first one on SYN_SENT is the SYN-ACK. */
SEC("kprobe/tcp_rcv_state_process")
int BPF_KPROBE(tcp_rcv_state_process_entry, struct sock *sk)
{
	struct vigil_tcp_event e = {};

	if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_SYN_SENT)
		return 0;
	if (!stop_clock((__u64)sk, &e))
		return 0;
	vigil_sk_addrs(sk, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
	submit(&e);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
