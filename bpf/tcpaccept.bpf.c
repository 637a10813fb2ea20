// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcpaccept: passive TCP opens as the accepting process sees them (BCC's tcpaccept). Where kprobes
 * exist, BCC's hook: the return of inet_csk_accept. Elsewhere the exit of accept/accept4, in the
 * acceptor's context, reading the new socket through the returned fd. (The state-change tracepoint
 * cannot name the acceptor: on loopback it runs in the client's context.)
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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

/* Puts the record's type in the object's BTF, where Java checks its view. */
const struct vigil_tcp_event *unused_tcp_event __attribute__((unused));

static __always_inline int emit(struct sock *sk)
{
	struct vigil_tcp_event e = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	vigil_sk_addrs(sk, &e.family, e.laddr, e.raddr, &e.lport, &e.rport);
	if (target_family && e.family != target_family)
		return 0;
	if (filter_local_ports && !vigil_port_listed(e.lport, 2))
		return 0;
	e.ts_ns = bpf_ktime_get_boot_ns();
	e.pid = id >> 32;
	e.tid = (__u32)id;
	e.uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	if (bpf_ringbuf_output(&events, &e, sizeof(e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_TCP_KIND_EVENT);
	return 0;
}

static __always_inline int accept_exit(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds, *file = NULL;
	struct socket *sock;

	if (fd < 0 || !vigil_tool_wanted())
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return 0;
	sock = BPF_CORE_READ(file, private_data); /* accept returns socket files only */
	return emit(BPF_CORE_READ(sock, sk));
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int handle_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int handle_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret);
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(inet_csk_accept_return, struct sock *sk)
{
	if (!vigil_tool_wanted())
		return 0;
	return emit(sk);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
