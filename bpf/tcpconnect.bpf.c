// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcpconnect: active TCP opens from sock:inet_sock_set_state. CLOSE -> SYN_SENT runs in the connecting
 * task, so pid, uid and comm are the caller's. The source port is chosen just after that transition, so
 * with -s (print SPORT) the record is sent at the socket's next transition (ESTABLISHED, or CLOSE for a
 * refused connect), with the caller remembered per socket.
 * Where kprobes exist (libbpf-tools' hook), tcp_v4_connect/tcp_v6_connect are probed instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"

const volatile bool source_port = false; /* -s */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* -s: the caller of a connect whose source port is not known yet, by socket */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct vigil_tcp_event);
} pending SEC(".maps");

static __always_inline void fill_caller(struct vigil_tcp_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
}

static __always_inline void submit(struct vigil_tcp_event *e)
{
	if (bpf_ringbuf_output(&events, e, sizeof(*e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_TCP_KIND_EVENT);
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr;
	struct vigil_tcp_event e = {}, *p;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT) {
		if (!vigil_tool_wanted())
			return 0;
		if (filter_remote_ports && !vigil_port_listed(ctx->dport, 1))
			return 0;
		fill_caller(&e);
		vigil_tcp_addrs(ctx, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
		if (source_port)
			bpf_map_update_elem(&pending, &sk, &e, BPF_ANY);
		else
			submit(&e);
		return 0;
	}
	if (source_port && ctx->oldstate == TCP_SYN_SENT) {
		p = bpf_map_lookup_elem(&pending, &sk);
		if (!p)
			return 0;
		p->lport = ctx->sport;
		submit(p);
		bpf_map_delete_elem(&pending, &sk);
	}
	return 0;
}

/* Kernels with kprobes: libbpf-tools' hook, the connect call itself; on return the source port is chosen. */
static __always_inline int probe_connect(struct sock *sk, __u16 family)
{
	struct vigil_tcp_event e = {};

	if (!vigil_tool_wanted())
		return 0;
	e.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (filter_remote_ports && !vigil_port_listed(e.rport, 1))
		return 0;
	fill_caller(&e);
	e.family = family;
	if (family == AF_INET) {
		/* sizes given: BPF_CORE_READ_INTO would copy sizeof(e.laddr[0]), one byte */
		bpf_core_read(e.laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e.raddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e.laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e.raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	e.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	submit(&e);
	return 0;
}

/* kretprobe: after tcp_vX_connect returned 0 the route, source address and port are set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} connecting SEC(".maps");

static __always_inline int connect_entry(struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 p = (__u64)sk;

	bpf_map_update_elem(&connecting, &tid, &p, BPF_ANY);
	return 0;
}

static __always_inline int connect_return(int ret, __u16 family)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *p = bpf_map_lookup_elem(&connecting, &tid);

	if (!p)
		return 0;
	if (ret == 0)
		probe_connect((struct sock *)*p, family);
	bpf_map_delete_elem(&connecting, &tid);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_entry, struct sock *sk) { return connect_entry(sk); }

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_return, int ret) { return connect_return(ret, AF_INET); }

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect_entry, struct sock *sk) { return connect_entry(sk); }

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tcp_v6_connect_return, int ret) { return connect_return(ret, AF_INET6); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
