/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record exitsnoop.bpf.c emits; the Java view (dev.vigil.tools.exitsnoop.ExitSnoop.Event) is checked against BTF. */
#ifndef VIGIL_EXITSNOOP_H
#define VIGIL_EXITSNOOP_H

#include "vigil/tool.h"

#define EXITSNOOP_KIND_EXIT 0

struct exitsnoop_event {
	__u64 start_ns;  /* task->start_time (CLOCK_MONOTONIC) */
	__u64 exit_ns;   /* bpf_ktime_get_ns() at exit */
	__s32 pid;       /* tgid */
	__s32 tid;
	__s32 ppid;      /* real parent's tgid */
	__s32 exit_code; /* task->exit_code >> 8: the status passed to exit() */
	__u32 sig;       /* task->exit_code & 0xff: the terminating signal, 0x80 = core dumped */
	__u32 uid;
	char comm[VIGIL_TASK_COMM_LEN];
};

#endif
