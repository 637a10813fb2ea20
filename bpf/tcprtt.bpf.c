// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcprtt: the smoothed round-trip time of TCP sockets as log2 histograms (libbpf-tools' tcprtt), sampled
 * for each segment an established socket receives. libbpf-tools hooks tcp_rcv_established (fentry or
 * kprobe); elsewhere tcp:tcp_probe fires at the same place with srtt in microseconds. Filters by local
 * and remote port and address; histograms per local (-b) or remote (-B) address.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"
#include "vigil/tcprtt.h"

const volatile bool targ_laddr_hist = false; /* -b */
const volatile bool targ_raddr_hist = false; /* -B */
const volatile bool targ_ms = false;         /* -m */
const volatile __u16 targ_sport = 0;         /* -p */
const volatile __u16 targ_dport = 0;         /* -P */
const volatile __u16 targ_saddr_family = 0;  /* -a: AF_INET or AF_INET6, 0 for none */
const volatile __u8 targ_saddr[16] = {};
const volatile __u16 targ_daddr_family = 0;  /* -A */
const volatile __u8 targ_daddr[16] = {};

VIGIL_RECORD_TYPE(tcprtt_key);
VIGIL_RECORD_TYPE(tcprtt_hist);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tcprtt_key);
	__type(value, struct tcprtt_hist);
} hists SEC(".maps");

static __always_inline bool addr_is(__u16 family, const __u8 *addr, __u16 want_family, const volatile __u8 *want)
{
	int n = family == AF_INET ? 4 : 16;

	if (family != want_family)
		return false;
	for (int i = 0; i < 16; i++) {
		if (i < n && addr[i] != want[i])
			return false;
	}
	return true;
}

static __always_inline int sample(__u16 family, __u16 lport, __u16 rport, __u8 *laddr, __u8 *raddr, __u64 srtt_us)
{
	static const struct tcprtt_hist zero;
	struct tcprtt_key key = {};
	struct tcprtt_hist *h;
	__u64 v;

	if (targ_sport && lport != targ_sport)
		return 0;
	if (targ_dport && rport != targ_dport)
		return 0;
	if (targ_saddr_family && !addr_is(family, laddr, targ_saddr_family, targ_saddr))
		return 0;
	if (targ_daddr_family && !addr_is(family, raddr, targ_daddr_family, targ_daddr))
		return 0;
	if (targ_laddr_hist || targ_raddr_hist) {
		key.family = family;
		__builtin_memcpy(key.addr, targ_laddr_hist ? laddr : raddr, sizeof(key.addr));
	}
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
	}
	v = targ_ms ? srtt_us / 1000 : srtt_us;
	vigil_hist_add(&h->hist, v);
	__sync_fetch_and_add(&h->latency, v);
	__sync_fetch_and_add(&h->cnt, 1);
	return 0;
}

SEC("tracepoint/tcp/tcp_probe")
int handle_tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	__u8 laddr[16] = {}, raddr[16] = {};
	__u16 family = ctx->family;

	/* saddr/daddr hold a sockaddr_in or sockaddr_in6 */
	if (family == AF_INET) {
		bpf_probe_read_kernel(laddr, 4, ctx->saddr + 4);
		bpf_probe_read_kernel(raddr, 4, ctx->daddr + 4);
	} else if (family == AF_INET6) {
		bpf_probe_read_kernel(laddr, 16, ctx->saddr + 8);
		bpf_probe_read_kernel(raddr, 16, ctx->daddr + 8);
	} else {
		return 0;
	}
	return sample(family, ctx->sport, ctx->dport, laddr, raddr, ctx->srtt);
}

SEC("kprobe/tcp_rcv_established")
int BPF_KPROBE(tcp_rcv_established_entry, struct sock *sk)
{
	__u8 laddr[16] = {}, raddr[16] = {};
	__u16 family, lport, rport;
	__u32 srtt = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;

	vigil_sk_addrs(sk, &family, laddr, raddr, &lport, &rport);
	return sample(family, lport, rport, laddr, raddr, srtt);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
