// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A program the verifier must refuse: it dereferences a map lookup without the NULL check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int rejected_prog(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&values, &key);

	return *v == 42; /* no NULL check */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
