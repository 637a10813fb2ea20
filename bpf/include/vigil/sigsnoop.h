/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record sigsnoop.bpf.c emits; the Java view (dev.vigil.tools.sigsnoop.SigSnoop.Event) is checked against BTF. */
#ifndef VIGIL_SIGSNOOP_H
#define VIGIL_SIGSNOOP_H

#include "vigil/tool.h"

#define SIGSNOOP_KIND_SIGNAL 0

struct sigsnoop_event {
	__u64 ts_ns;
	__s32 pid;     /* the sender's tgid */
	__s32 tpid;    /* the target: a pid (kill, signal_generate) or a thread id (tkill, tgkill) */
	__s32 sig;
	__s32 result;  /* -k: the syscall's return (0 or -errno); else signal_generate's result (0 delivered,
	                * 1 ignored, 2 already pending, 3 queue overflow, 4 info lost) */
	__u32 uid;
	__u32 syscall; /* 0 signal_generate, 1 kill, 2 tkill, 3 tgkill */
	char comm[VIGIL_TASK_COMM_LEN];
	char tcomm[VIGIL_TASK_COMM_LEN]; /* the target's comm; empty when no signal was generated */
};

#endif
