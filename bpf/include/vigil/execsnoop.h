/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The record execsnoop.bpf.c emits, shared with user space. This header is the one definition:
 * the Java view (dev.vigil.tools.execsnoop.ExecEvent) is checked against the object's BTF at load.
 */
#ifndef VIGIL_EXECSNOOP_H
#define VIGIL_EXECSNOOP_H

#define EXECSNOOP_TASK_COMM_LEN 16
#define EXECSNOOP_ARGSIZE 128
#define EXECSNOOP_TOTAL_MAX_ARGS 60
#define EXECSNOOP_DEFAULT_MAX_ARGS 20
#define EXECSNOOP_FULL_MAX_ARGS_ARR (EXECSNOOP_TOTAL_MAX_ARGS * EXECSNOOP_ARGSIZE)

/* Event kinds for vigil_drops. */
#define EXECSNOOP_KIND_EXEC 0
#define EXECSNOOP_KIND_FAILED_EXEC 1

struct execsnoop_event {
	__u64 ts_ns;          /* bpf_ktime_get_boot_ns() when emitted */
	__s32 pid;            /* tgid */
	__s32 tid;
	__s32 ppid;           /* real parent's tgid */
	__u32 uid;
	__s32 retval;         /* 0, or -errno for a failed exec */
	__u32 args_size;      /* bytes used in args */
	__u32 args_truncated; /* the kernel could not keep every argument (area or max_args exceeded) */
	__u32 reserved;
	char comm[EXECSNOOP_TASK_COMM_LEN];
	char filename[EXECSNOOP_ARGSIZE]; /* the path exec'ed */
	char args[EXECSNOOP_FULL_MAX_ARGS_ARR]; /* NUL-separated argv, argv[0] included */
};

#endif
