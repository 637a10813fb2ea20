/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel side of the stack-counting tools: the maps and the add-to-a-key step profile and offcputime share. */
#ifndef VIGIL_STACKS_BPF_H
#define VIGIL_STACKS_BPF_H

#include <bpf/bpf_helpers.h>
#include "vigil/stacks.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__uint(value_size, VIGIL_MAX_STACK_DEPTH * sizeof(__u64));
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_stack_key);
	__type(value, __u64);
} counts SEC(".maps");

/* Additions that found counts full: reported by the tool, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} missed SEC(".maps");

static __always_inline void vigil_stack_count(struct vigil_stack_key *key, __u64 delta)
{
	static const __u64 zero = 0;
	__u32 slot = 0;
	__u64 *count = bpf_map_lookup_elem(&counts, key);

	if (!count) {
		bpf_map_update_elem(&counts, key, &zero, BPF_NOEXIST);
		count = bpf_map_lookup_elem(&counts, key);
	}
	if (count) {
		__sync_fetch_and_add(count, delta);
		return;
	}
	count = bpf_map_lookup_elem(&missed, &slot);
	if (count)
		*count += 1;
}

#endif
