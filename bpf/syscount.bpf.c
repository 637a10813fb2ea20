// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * syscount: counts syscalls (or, with -P, syscalls per process) in the kernel, in a per-CPU hash (no
 * atomics, no ring: user space sums the CPUs when it prints). Only raw_syscalls:sys_exit is attached
 * unless -L asks for latency, which needs the entry time from sys_enter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/tool.bpf.h"
#include "vigil/syscount.h"

const volatile bool filter_failed = false;    /* -x */
const volatile int filter_errno = 0;          /* -e */
const volatile bool measure_latency = false;  /* -L */
const volatile bool count_by_process = false; /* -P */

VIGIL_RECORD_TYPE(syscount_value);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct syscount_value);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

static const struct syscount_value zero;

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts;

	if (!vigil_tool_wanted())
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, key;
	struct syscount_value *v;
	long ret = ctx->ret;
	__u64 delta = 0;

	if (ctx->id < 0)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	if (filter_failed && ret >= 0)
		return 0;
	if (filter_errno && ret != -filter_errno)
		return 0;
	if (measure_latency) {
		__u64 *ts = bpf_map_lookup_elem(&start, &tid);

		if (!ts)
			return 0;
		delta = bpf_ktime_get_ns() - *ts;
		bpf_map_delete_elem(&start, &tid);
	}
	key = count_by_process ? (__u32)(id >> 32) : (__u32)ctx->id;
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &key);
		if (!v)
			return 0;
		if (count_by_process)
			bpf_get_current_comm(v->comm, sizeof(v->comm));
	}
	v->count++;
	v->total_ns += delta;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
