// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * profile: on every tick of a per-CPU software cpu-clock perf event, count the interrupted task's user
 * and kernel stacks (libbpf-tools' profile; the hardware PMU is not needed).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/tool.bpf.h"
#include "vigil/stacks.bpf.h"

const volatile bool kernel_stacks_only = false; /* -K */
const volatile bool user_stacks_only = false;   /* -U */
const volatile bool include_idle = false;       /* -I */

SEC("perf_event")
int do_perf_event(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct vigil_stack_key key = {};

	if (!include_idle && (__u32)id == 0)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	key.pid = (__u32)id;
	key.tgid = id >> 32;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	key.user_stack_id = kernel_stacks_only ? -14 /* -EFAULT: not collected */ : bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
	key.kern_stack_id = user_stacks_only ? -14 : bpf_get_stackid(ctx, &stackmap, 0);

	vigil_stack_count(&key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
