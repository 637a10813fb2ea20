// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tool harness's test program: getppid() through the standard filters, a record and a histogram. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"

struct test_tool_event {
	__u32 pid;
	__u32 tid;
};

const volatile __u64 hist_value = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_hist);
} hist SEC(".maps");

static __always_inline int handle(void)
{
	struct test_tool_event e;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct vigil_hist *h;

	if (!vigil_tool_wanted())
		return 0;
	e.pid = id >> 32;
	e.tid = (__u32)id;
	if (bpf_ringbuf_output(&events, &e, sizeof(e), vigil_submit_flags(&events)))
		vigil_count_drop(0);
	h = bpf_map_lookup_elem(&hist, &zero);
	if (h && hist_value)
		vigil_hist_add(h, hist_value);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_getppid(void *ctx)
{
	return handle();
}

SEC("kprobe/__x64_sys_getppid")
int kprobe_getppid(void *ctx)
{
	return handle();
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int never_attached(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
