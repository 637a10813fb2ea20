/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel side of the TCP tools: the port filters and reading sock:inet_sock_set_state's addresses. */
#ifndef VIGIL_TCP_BPF_H
#define VIGIL_TCP_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/tcp.h"

#define AF_INET 2
#define AF_INET6 10

const volatile bool filter_remote_ports = false; /* tcpconnect -P, tcplife -D: remote ports in the ports map only */
const volatile bool filter_local_ports = false;  /* tcplife -L, tcpaccept -P: local ports in the ports map only */

/* key: port (host order); value: 1 = remote port, 2 = local port (tcplife has both) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u8);
} ports SEC(".maps");

static __always_inline bool vigil_port_listed(__u16 port, __u8 kind)
{
	__u8 *v = bpf_map_lookup_elem(&ports, &port);

	return v && (*v & kind);
}

/* Endpoints from the tracepoint: "local" is the socket's own side (saddr/sport). */
static __always_inline void vigil_tcp_addrs(struct trace_event_raw_inet_sock_set_state *ctx,
					    __u16 *family, __u8 *laddr, __u8 *raddr, __u16 *lport, __u16 *rport)
{
	*family = ctx->family;
	*lport = ctx->sport;
	*rport = ctx->dport;
	if (ctx->family == AF_INET) {
		/* copies from the context must be whole-field loads: read the arrays as memory */
		bpf_probe_read_kernel(laddr, 4, ctx->saddr);
		bpf_probe_read_kernel(raddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(laddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(raddr, 16, ctx->daddr_v6);
	}
}

/* Endpoints from the socket itself (kprobe paths): "local" is the socket's own side. */
static __always_inline void vigil_sk_addrs(struct sock *sk, __u16 *family, __u8 *laddr, __u8 *raddr,
					   __u16 *lport, __u16 *rport)
{
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	*lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	*rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (*family == AF_INET) {
		/* sizes given: BPF_CORE_READ_INTO would copy sizeof(laddr[0]), one byte */
		bpf_core_read(laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(raddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

#endif
