/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Scheduler helpers the sched tools share (offcputime, runqlat). */
#ifndef VIGIL_SCHED_BPF_H
#define VIGIL_SCHED_BPF_H

#include <bpf/bpf_core_read.h>

#define VIGIL_TASK_RUNNING 0

/* Kernels before 5.14 call task_struct's state field "state". */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long vigil_task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

#endif
