// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * funclatency: a function's latency, entry to return, as a log2 histogram (libbpf-tools' funclatency).
 * User functions (LIB:FUNC, PROG:FUNC, :FUNC) through a uprobe and a uretprobe, kernel functions through
 * a kprobe and a kretprobe where the kernel has kprobes. The target is given at attach time, so the
 * sections name no function. Calls are matched per thread; a recursive call restarts the clock, as in
 * libbpf-tools.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/tool.bpf.h"

const volatile __u64 targ_unit_ns = 1; /* 1 nsecs, 1000 usecs (-u), 1000000 msecs (-m) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_hist);
} hist SEC(".maps");

static __always_inline int call_entry(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now;

	if (!vigil_tool_wanted())
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
	return 0;
}

static __always_inline int call_return(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), zero = 0;
	__u64 *start, now = bpf_ktime_get_ns();
	struct vigil_hist *h;

	start = bpf_map_lookup_elem(&starts, &tid);
	if (!start)
		return 0;
	if (now >= *start && (h = bpf_map_lookup_elem(&hist, &zero)))
		vigil_hist_add(h, (now - *start) / targ_unit_ns);
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(uprobe_entry) { return call_entry(); }

SEC("uretprobe")
int BPF_KRETPROBE(uprobe_return) { return call_return(); }

SEC("kprobe")
int BPF_KPROBE(kprobe_entry) { return call_entry(); }

SEC("kretprobe")
int BPF_KRETPROBE(kprobe_return) { return call_return(); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
