/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record opensnoop.bpf.c emits; the Java view (dev.vigil.tools.opensnoop.OpenSnoop.Event) is checked against BTF. */
#ifndef VIGIL_OPENSNOOP_H
#define VIGIL_OPENSNOOP_H

#include "vigil/tool.h"

#define OPENSNOOP_PATH_LEN 256

/* Event kinds for vigil_drops. */
#define OPENSNOOP_KIND_OPEN 0

struct opensnoop_event {
	__u64 ts_ns;    /* bpf_ktime_get_boot_ns() at syscall exit */
	__u64 flags;    /* open flags (openat2: open_how.flags) */
	__s32 pid;      /* tgid */
	__s32 tid;
	__u32 uid;
	__s32 ret;      /* the fd, or -errno */
	__u32 mode;
	__s32 dirfd;    /* AT_FDCWD (-100) for open() and relative-to-cwd opens */
	char comm[VIGIL_TASK_COMM_LEN];
	char path[OPENSNOOP_PATH_LEN]; /* as the caller passed it, NUL-terminated, cut at 255 bytes */
};

/* -F: a relative path's directory, walked up in the kernel at syscall exit */
#define OPENSNOOP_DIR_LEN 512   /* the names; a walk that would pass it stops (truncated) */
#define OPENSNOOP_NAME_MAX 256  /* one name's read: the area has this much slack past DIR_LEN */
#define OPENSNOOP_MAX_DEPTH 32  /* steps up (names and mount crossings) */

/* The record with -F for a relative path (a plain opensnoop_event otherwise: the reader tells by length). */
struct opensnoop_full_event {
	struct opensnoop_event base;
	__u32 depth;     /* names in dir */
	__u32 truncated; /* 1: the walk stopped before the task's root (too deep, too long, no such dirfd) */
	char dir[OPENSNOOP_DIR_LEN + OPENSNOOP_NAME_MAX]; /* the directory's names, innermost first, each NUL-terminated */
};

#endif
