/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* syscount's per-CPU counters, read by dev.vigil.tools.syscount.SysCount (checked against BTF). */
#ifndef VIGIL_SYSCOUNT_H
#define VIGIL_SYSCOUNT_H

#include "vigil/tool.h"

struct syscount_value {
	__u64 count;
	__u64 total_ns; /* with -L: time in the syscalls counted */
	char comm[VIGIL_TASK_COMM_LEN]; /* with -P: the process's comm when first counted */
};

#endif
