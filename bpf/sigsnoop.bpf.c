// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sigsnoop (and killsnoop = sigsnoop -k). By default every signal the kernel generates, from
 * signal:signal_generate (not a syscall tracepoint: other syscalls pay nothing), with the target's comm.
 * With -k, the kill/tkill/tgkill syscalls at exit (arguments from the saved registers), so failed kills
 * show with their errno; signal_generate, which runs inside those syscalls in the sender's context,
 * then only lends the target's comm through a per-thread map.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/sigsnoop.h"

const volatile bool kill_only = false;   /* -k */
const volatile bool failed_only = false; /* -x */
const volatile int target_signal = 0;    /* -s */

VIGIL_RECORD_TYPE(sigsnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct tcomm {
	char comm[VIGIL_TASK_COMM_LEN];
};

/* -k: the target's comm, by sender thread, from signal_generate to the syscall's exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct tcomm);
} tcomms SEC(".maps");

static __always_inline struct sigsnoop_event *start(int sig, long result)
{
	struct sigsnoop_event *e;
	__u64 id;

	if (target_signal && sig != target_signal)
		return NULL;
	if (failed_only && result == 0)
		return NULL;
	if (!vigil_tool_wanted())
		return NULL;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(SIGSNOOP_KIND_SIGNAL);
		return NULL;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->sig = sig;
	e->result = result;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

SEC("tracepoint/signal/signal_generate")
int handle_signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	struct sigsnoop_event *e;

	if (kill_only) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct tcomm t;

		if (ctx->code != 0 /* SI_USER */ && ctx->code != -6 /* SI_TKILL */)
			return 0;
		bpf_probe_read_kernel(t.comm, sizeof(t.comm), ctx->comm);
		bpf_map_update_elem(&tcomms, &tid, &t, BPF_ANY);
		return 0;
	}
	e = start(ctx->sig, ctx->result);
	if (!e)
		return 0;
	e->tpid = ctx->pid;
	e->syscall = 0;
	bpf_probe_read_kernel(e->tcomm, sizeof(e->tcomm), ctx->comm);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

static __always_inline int kill_exit(long ret, int tpid, int sig, __u32 syscall)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sigsnoop_event *e;
	struct tcomm *t;

	t = bpf_map_lookup_elem(&tcomms, &tid);
	e = start(sig, ret);
	if (e) {
		e->tpid = tpid;
		e->syscall = syscall;
		if (t)
			__builtin_memcpy(e->tcomm, t->comm, sizeof(e->tcomm));
		else
			e->tcomm[0] = '\0';
		bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	}
	if (t)
		bpf_map_delete_elem(&tcomms, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int handle_exit_kill(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	return regs ? kill_exit(ctx->ret, (int)regs->di, (int)regs->si, 1) : 0;
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int handle_exit_tkill(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	return regs ? kill_exit(ctx->ret, (int)regs->di, (int)regs->si, 2) : 0;
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int handle_exit_tgkill(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	return regs ? kill_exit(ctx->ret, (int)regs->si, (int)regs->dx, 3) : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
