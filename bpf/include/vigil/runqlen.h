/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* runqlen's linear histogram: one definition for both sides (Java: tools.sched.RunQLen). */
#ifndef VIGIL_RUNQLEN_H
#define VIGIL_RUNQLEN_H

#define VIGIL_RUNQLEN_SLOTS 32
#define VIGIL_RUNQLEN_MAX_CPUS 1024

/* slot i counts samples that found i tasks waiting (the running one not counted); the last slot is "or more" */
struct runqlen_hist {
	__u32 slots[VIGIL_RUNQLEN_SLOTS];
};

#endif
