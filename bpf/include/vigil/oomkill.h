/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record oomkill.bpf.c emits; the Java view (dev.vigil.tools.oomkill.OomKill.Event) is checked against BTF. */
#ifndef VIGIL_OOMKILL_H
#define VIGIL_OOMKILL_H

#include "vigil/tool.h"

#define OOMKILL_KIND_KILL 0

struct oomkill_event {
	__u64 ts_ns;
	__s32 tpid;        /* the task that ran out of memory (current at mark_victim) */
	__s32 kpid;        /* the victim */
	__u64 rss_kb;      /* the victim's anon + file + shmem RSS, in kB (tracepoint; 0 from the kprobe) */
	__u64 total_vm_kb;
	__u32 uid;         /* the victim's */
	__s32 oom_score_adj;
	char tcomm[VIGIL_TASK_COMM_LEN];
	char kcomm[VIGIL_TASK_COMM_LEN];
	__u64 total_pages; /* the OOM control's totalpages (kprobe: what libbpf-tools prints); 0 from the tracepoint */
};

#endif
