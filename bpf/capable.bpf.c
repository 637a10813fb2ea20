// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * capable: capability checks from capability:cap_capable (libbpf-tools needs a kprobe on cap_capable,
 * which this kernel lacks). The tracepoint gives the capability and the verdict, not cap_opt: AUDIT and
 * INSETID are unknown (-1). -u dedups in the kernel, by process or by cgroup.
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

SEC("tracepoint/capability/cap_capable")
int handle_cap_capable(struct trace_event_raw_cap_capable *ctx)
{
	struct capable_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	int cap = ctx->cap;

	if (!vigil_tool_wanted())
		return 0;
	if (unique_by) {
		__u64 key = (unique_by == 1 ? (id >> 32) : bpf_get_current_cgroup_id()) << 8 | (cap & 0xff);
		__u8 one = 1;

		if (bpf_map_lookup_elem(&seen, &key))
			return 0;
		bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(CAPABLE_KIND_CHECK);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->cap = cap;
	e->ret = ctx->ret;
	e->audit = -1;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
