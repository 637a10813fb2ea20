/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record capable.bpf.c emits; the Java view (dev.vigil.tools.capable.Capable.Event) is checked against BTF. */
#ifndef VIGIL_CAPABLE_H
#define VIGIL_CAPABLE_H

#include "vigil/tool.h"

#define CAPABLE_KIND_CHECK 0

struct capable_event {
	__u64 ts_ns;
	__s32 pid;
	__s32 tid;
	__u32 uid;
	__s32 cap;
	__s32 ret;    /* 0 allowed, -EPERM denied */
	__s32 audit;  /* 1 audited, 0 not (CAP_OPT_NOAUDIT); -1: the tracepoint does not say (only the kprobe reads cap_opt) */
	__s32 insetid; /* 1 CAP_OPT_INSETID, 0 not; -1 unknown (tracepoint) */
	__u32 pad;
	char comm[VIGIL_TASK_COMM_LEN];
};

#endif
