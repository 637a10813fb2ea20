// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A perf_event sampler for the library's perf and stack map tests: counts samples of one process by CPU
 * and keeps the last user and kernel stack ids it saw. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__uint(value_size, 127 * sizeof(__u64));
} stacks SEC(".maps");

/* 0: samples of the target, 1: samples anywhere, 2: last user stack id, 3: last kernel stack id (+1; 0 none) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} seen SEC(".maps");

static __always_inline void put(__u32 k, __s64 v, bool add)
{
	__s64 *p = bpf_map_lookup_elem(&seen, &k);

	if (!p)
		return;
	if (add)
		__sync_fetch_and_add(p, v);
	else
		*p = v;
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	put(1, 1, true);
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	put(0, 1, true);
	__s64 user = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	__s64 kernel = bpf_get_stackid(ctx, &stacks, 0);
	if (user >= 0)
		put(2, user + 1, false);
	if (kernel >= 0)
		put(3, kernel + 1, false);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
