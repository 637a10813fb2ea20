// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * capable: capability checks. Where kprobes exist, libbpf-tools' kprobe/kretprobe on cap_capable, whose
 * cap_opt gives AUDIT and INSETID; elsewhere capability:cap_capable (6.x kernels without kprobes, as this
 * one), which gives the capability and the verdict but not cap_opt: AUDIT and INSETID are unknown (-1).
 * -u dedups in the kernel, by process or by cgroup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/capable.h"

const volatile int unique_by = 0; /* -u: 0 off, 1 per pid, 2 per cgroup */

VIGIL_RECORD_TYPE(capable_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u8);
} seen SEC(".maps");

/* cap_opt bits (include/linux/security.h) */
#define CAP_OPT_NOAUDIT 0x2
#define CAP_OPT_INSETID 0x4

static __always_inline void emit(int cap, int ret, int audit, int insetid)
{
	struct capable_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	if (unique_by) {
		__u64 key = (unique_by == 1 ? (id >> 32) : bpf_get_current_cgroup_id()) << 8 | (cap & 0xff);
		__u8 one = 1;

		if (bpf_map_lookup_elem(&seen, &key))
			return;
		bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(CAPABLE_KIND_CHECK);
		return;
	}
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->cap = cap;
	e->ret = ret;
	e->audit = audit;
	e->insetid = insetid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
}

SEC("tracepoint/capability/cap_capable")
int handle_cap_capable(struct trace_event_raw_cap_capable *ctx)
{
	if (!vigil_tool_wanted())
		return 0;
	emit(ctx->cap, ctx->ret, -1, -1);
	return 0;
}

/* libbpf-tools' hook, where kprobes exist: cap_opt gives AUDIT and INSETID. Entry and return pair by thread. */
struct cap_call {
	int cap;
	__u32 opts;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct cap_call);
} calls SEC(".maps");

SEC("kprobe/cap_capable")
int BPF_KPROBE(kprobe_cap_capable, const struct cred *cred, struct user_namespace *targ_ns, int cap, unsigned int opts)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct cap_call c = {.cap = cap, .opts = opts};

	if (!vigil_tool_wanted())
		return 0;
	bpf_map_update_elem(&calls, &tid, &c, BPF_ANY);
	return 0;
}

SEC("kretprobe/cap_capable")
int BPF_KRETPROBE(kretprobe_cap_capable, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct cap_call *c = bpf_map_lookup_elem(&calls, &tid);

	if (!c)
		return 0;
	emit(c->cap, ret, (c->opts & CAP_OPT_NOAUDIT) ? 0 : 1, (c->opts & CAP_OPT_INSETID) ? 1 : 0);
	bpf_map_delete_elem(&calls, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
