// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcplife: one record per TCP connection when it closes, with its duration and bytes, from
 * sock:inet_sock_set_state (libbpf-tools' tcplife). The owner is remembered at SYN_SENT (active open,
 * the connecting task) or LAST_ACK (passive side closing, the closing task); otherwise it is the task
 * current at close.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"

const volatile __u16 target_family = 0;  /* -4 / -6 */

/* Puts the record's type in the object's BTF, where Java checks its view (a local's type is not emitted). */
const struct vigil_tcplife_event *unused_tcplife_event __attribute__((unused));

struct ident {
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} birth SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct ident);
} idents SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	__u64 now, *start;
	struct ident *id;
	struct vigil_tcplife_event e = {};
	int newstate = ctx->newstate; /* read once: re-reading after a helper call made clang form ctx+off pointers */

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (target_family && ctx->family != target_family)
		return 0;
	if (filter_local_ports && !vigil_port_listed(ctx->sport, 2))
		return 0;
	if (filter_remote_ports && !vigil_port_listed(ctx->dport, 1))
		return 0;

	now = bpf_ktime_get_ns();
	if (newstate < TCP_FIN_WAIT1)
		bpf_map_update_elem(&birth, &sk, &now, BPF_ANY);
	if (newstate == TCP_SYN_SENT || newstate == TCP_LAST_ACK) {
		struct ident i = {.pid = bpf_get_current_pid_tgid() >> 32};

		if (targ_pid && i.pid != targ_pid)
			return 0;
		bpf_get_current_comm(&i.comm, sizeof(i.comm));
		bpf_map_update_elem(&idents, &sk, &i, BPF_ANY);
	}
	if (newstate != TCP_CLOSE)
		return 0;

	start = bpf_map_lookup_elem(&birth, &sk);
	if (!start) {
		bpf_map_delete_elem(&idents, &sk);
		return 0;
	}
	e.span_us = (now - *start) / 1000;
	id = bpf_map_lookup_elem(&idents, &sk);
	e.pid = id ? id->pid : bpf_get_current_pid_tgid() >> 32;
	if (targ_pid && e.pid != targ_pid)
		goto cleanup;
	if (id)
		__builtin_memcpy(e.comm, id->comm, sizeof(e.comm));
	else
		bpf_get_current_comm(&e.comm, sizeof(e.comm));
	e.ts_ns = bpf_ktime_get_boot_ns();
	e.rx_b = BPF_CORE_READ((struct tcp_sock *)sk, bytes_received);
	e.tx_b = BPF_CORE_READ((struct tcp_sock *)sk, bytes_acked);
	vigil_tcp_addrs(ctx, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_TCP_KIND_EVENT);
cleanup:
	bpf_map_delete_elem(&birth, &sk);
	bpf_map_delete_elem(&idents, &sk);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
