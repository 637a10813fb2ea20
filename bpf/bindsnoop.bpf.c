// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bindsnoop. libbpf-tools probes inet_bind/inet6_bind (kprobes, absent here); this is one program at the
 * exit of bind(2), which gives every column theirs gives: the result, and from the task's saved user
 * registers (vigil_user_regs) the socket's fd and the address asked for. The socket itself (protocol,
 * options, bound device) is found through the task's fd table. Only AF_INET and AF_INET6 sockets are
 * reported (what inet_bind and inet6_bind see); a bind that failed before reaching the socket layer
 * (EBADF, ENOTSOCK, EFAULT) has no socket to report.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/tcp.bpf.h"
#include "vigil/bindsnoop.h"

#define EBADF 9
#define EFAULT 14
#define ENOTSOCK 88

const volatile bool ignore_errors = true; /* without -x: successful binds only, as libbpf-tools */

VIGIL_RECORD_TYPE(bindsnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Before 6.6 these were bitfields of struct inet_sock; since, bits of inet_flags (see sock_opts). */
struct inet_sock___old {
	__u8 freebind: 1;
	__u8 transparent: 1;
	__u8 bind_address_no_port: 1;
} __attribute__((preserve_access_index));

/* Bit numbers in inet_sock.inet_flags (an anonymous enum in 6.6+, so not relocatable by name). */
#define INET_FLAGS_FREEBIND_BIT 11
#define INET_FLAGS_TRANSPARENT_BIT 15
#define INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT 18

static __always_inline struct sock *sock_of_fd(int fd)
{
	struct file *file = vigil_file_of_fd(fd);
	struct socket *sock;

	if (!file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline __u8 sock_opts(struct sock *sk)
{
	__u8 opts = 0;

	if (bpf_core_field_exists(struct inet_sock, inet_flags)) {
		unsigned long flags = BPF_CORE_READ((struct inet_sock *)sk, inet_flags);

		if (flags & (1UL << INET_FLAGS_FREEBIND_BIT))
			opts |= BINDSNOOP_OPT_FREEBIND;
		if (flags & (1UL << INET_FLAGS_TRANSPARENT_BIT))
			opts |= BINDSNOOP_OPT_TRANSPARENT;
		if (flags & (1UL << INET_FLAGS_BIND_ADDRESS_NO_PORT_BIT))
			opts |= BINDSNOOP_OPT_BIND_ADDRESS_NO_PORT;
	} else {
		struct inet_sock___old *old = (void *)sk;

		if (BPF_CORE_READ_BITFIELD_PROBED(old, freebind))
			opts |= BINDSNOOP_OPT_FREEBIND;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, transparent))
			opts |= BINDSNOOP_OPT_TRANSPARENT;
		if (BPF_CORE_READ_BITFIELD_PROBED(old, bind_address_no_port))
			opts |= BINDSNOOP_OPT_BIND_ADDRESS_NO_PORT;
	}
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		opts |= BINDSNOOP_OPT_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		opts |= BINDSNOOP_OPT_REUSEPORT;
	return opts;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int handle_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	struct bindsnoop_event *e;
	struct pt_regs *regs;
	struct sock *sk;
	const void *uaddr;
	__u16 family, port = 0;
	long ret = ctx->ret;
	__u64 id;

	if (ignore_errors && ret != 0)
		return 0;
	if (ret == -EBADF || ret == -ENOTSOCK || ret == -EFAULT)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	regs = vigil_user_regs();
	if (!regs)
		return 0;
	sk = sock_of_fd((int)regs->di);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	uaddr = (const void *)regs->si;
	bpf_probe_read_user(&port, sizeof(port), uaddr + 2); /* sin_port and sin6_port */
	port = bpf_ntohs(port);
	if (filter_local_ports && !vigil_port_listed(port, 2))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(BINDSNOOP_KIND_BIND);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->port = port;
	e->bound_dev_if = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	e->opts = sock_opts(sk);
	e->proto = BPF_CORE_READ(sk, sk_protocol);
	if (family == AF_INET) {
		e->ver = 4;
		bpf_probe_read_user(e->addr, 4, uaddr + 4);        /* sin_addr */
	} else {
		e->ver = 6;
		bpf_probe_read_user(e->addr, 16, uaddr + 8);       /* sin6_addr */
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
