// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gethostlatency: name lookups through libc with their latency (libbpf-tools' gethostlatency): uprobes on
 * getaddrinfo, gethostbyname and gethostbyname2, whose first argument is the name, and uretprobes on
 * the same. One entry and one return program, attached to each function.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/gethostlatency.h"

VIGIL_RECORD_TYPE(vigil_gethost_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct vigil_gethost_event);
} lookups SEC(".maps");

/* libbpf 1.1 has no BPF_UPROBE: a uprobe gets the same pt_regs as a kprobe */
SEC("uprobe")
int BPF_KPROBE(lookup_entry, const char *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct vigil_gethost_event e = {};

	if (!vigil_tool_wanted())
		return 0;
	e.pid = id >> 32;
	e.tid = tid;
	e.ts_ns = bpf_ktime_get_ns(); /* the start, until the return */
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(&e.host, sizeof(e.host), name);
	bpf_map_update_elem(&lookups, &tid, &e, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(lookup_return)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_gethost_event *e = bpf_map_lookup_elem(&lookups, &tid);
	__u64 now = bpf_ktime_get_ns();

	if (!e)
		return 0;
	e->latency_ns = now >= e->ts_ns ? now - e->ts_ns : 0;
	e->ts_ns = bpf_ktime_get_boot_ns();
	if (bpf_ringbuf_output(&events, e, sizeof(*e), vigil_submit_flags(&events)))
		vigil_count_drop(VIGIL_GETHOST_KIND_EVENT);
	bpf_map_delete_elem(&lookups, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
