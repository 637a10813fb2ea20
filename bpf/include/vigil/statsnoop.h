/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record statsnoop.bpf.c emits; the Java view (dev.vigil.tools.statsnoop.StatSnoop.Event) is checked against BTF. */
#ifndef VIGIL_STATSNOOP_H
#define VIGIL_STATSNOOP_H

#include "vigil/tool.h"

#define STATSNOOP_PATH_LEN 256
#define STATSNOOP_KIND_STAT 0

/* Which syscall: the index into StatSnoop.SYSCALLS. */
#define STATSNOOP_STATFS 0
#define STATSNOOP_NEWSTAT 1
#define STATSNOOP_NEWLSTAT 2
#define STATSNOOP_NEWFSTATAT 3
#define STATSNOOP_STATX 4

struct statsnoop_event {
	__u64 ts_ns;    /* bpf_ktime_get_boot_ns() at syscall exit */
	__s32 pid;
	__s32 tid;
	__u32 uid;
	__s32 ret;      /* 0, or -errno */
	__u32 syscall;  /* STATSNOOP_* */
	__u32 reserved;
	char comm[VIGIL_TASK_COMM_LEN];
	char path[STATSNOOP_PATH_LEN];
};

#endif
