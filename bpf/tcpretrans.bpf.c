// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcpretrans: TCP retransmissions (BCC's tcpretrans; libbpf-tools has none) from tcp:tcp_retransmit_skb,
 * the hook BCC prefers where it exists, so one program everywhere. Tail loss probes (-l) have no
 * tracepoint: they need the kprobe on tcp_send_loss_probe. With -c the kernel counts per flow and
 * sends nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"

const volatile __u16 target_family = 0; /* -4 / -6 */
const volatile bool count_only = false;  /* -c */

VIGIL_RECORD_TYPE(vigil_tcpretrans_event);
VIGIL_RECORD_TYPE(vigil_tcpretrans_flow);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct vigil_tcpretrans_flow);
	__type(value, __u64);
} counts SEC(".maps");

/*
 * The tracepoint's record as tracefs lays it out: the same offsets in 6.1's tcp_event_sk_skb class and in
 * 6.18's own tcp_retransmit_skb event (which appends err), so a plain struct rather than a CO-RE name
 * that differs between them.
 */
struct retransmit_args {
	__u64 common;
	const void *skbaddr;
	const void *skaddr;
	int state;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
};

static __always_inline void count_flow(struct vigil_tcpretrans_event *e)
{
	static const __u64 one = 1;
	struct vigil_tcpretrans_flow k = {};
	__u64 *n;

	k.family = e->family;
	k.lport = e->lport;
	k.rport = e->rport;
	__builtin_memcpy(k.laddr, e->laddr, sizeof(k.laddr));
	__builtin_memcpy(k.raddr, e->raddr, sizeof(k.raddr));
	n = bpf_map_lookup_elem(&counts, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
}

static __always_inline int report(struct vigil_tcpretrans_event *e)
{
	if (target_family && e->family != target_family)
		return 0;
	if (count_only) {
		count_flow(e);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_TCP_KIND_EVENT);
	return 0;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int handle_retransmit(struct retransmit_args *ctx)
{
	struct vigil_tcpretrans_event e = {};

	e.type = VIGIL_TCPRETRANS_RETRANSMIT;
	e.state = ctx->state;
	e.family = ctx->family;
	e.lport = ctx->sport;
	e.rport = ctx->dport;
	if (e.family == AF_INET) {
		bpf_probe_read_kernel(e.laddr, 4, ctx->saddr);
		bpf_probe_read_kernel(e.raddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(e.laddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(e.raddr, 16, ctx->daddr_v6);
	}
	return report(&e);
}

SEC("kprobe/tcp_send_loss_probe")
int BPF_KPROBE(tcp_send_loss_probe_entry, struct sock *sk)
{
	struct vigil_tcpretrans_event e = {};

	e.type = VIGIL_TCPRETRANS_LOSS_PROBE;
	e.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	vigil_sk_addrs(sk, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
	return report(&e);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
