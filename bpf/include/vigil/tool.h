/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every tool shares with user space (dev.vigil.ebpf.tool): the log2 histogram's layout and
 * the "no filter" values of the standard filter constants. Both sides read this one definition.
 */
#ifndef VIGIL_TOOL_H
#define VIGIL_TOOL_H

#define VIGIL_TASK_COMM_LEN 16
/* Slots of a log2 histogram: slot i counts values v with floor(log2(v)) == i (0 and 1 share slot 0). */
#define VIGIL_HIST_SLOTS 27
#define VIGIL_INVALID_UID ((__u32)-1)

struct vigil_hist {
	__u32 slots[VIGIL_HIST_SLOTS];
};

#endif
