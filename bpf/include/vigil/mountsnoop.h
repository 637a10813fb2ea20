/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record mountsnoop.bpf.c emits; the Java view (dev.vigil.tools.mountsnoop.MountSnoop.Event) is checked against BTF. */
#ifndef VIGIL_MOUNTSNOOP_H
#define VIGIL_MOUNTSNOOP_H

#include "vigil/tool.h"

#define MOUNTSNOOP_KIND_CALL 0

/* call: the index into MountSnoop.CALLS */
#define MOUNTSNOOP_MOUNT 0
#define MOUNTSNOOP_UMOUNT 1
#define MOUNTSNOOP_FSOPEN 2
#define MOUNTSNOOP_FSMOUNT 3
#define MOUNTSNOOP_MOVE_MOUNT 4

struct mountsnoop_event {
	__u64 ts_ns;
	__u64 flags;    /* the call's flags argument */
	__u64 arg;      /* fsmount: fs_fd; move_mount: from_dfd */
	__s32 pid;
	__s32 tid;
	__u32 mnt_ns;   /* the caller's mount namespace (inode number) */
	__s32 ret;
	__u32 call;
	__s32 arg2;     /* fsmount: attr_flags; move_mount: to_dfd */
	char comm[VIGIL_TASK_COMM_LEN];
	char src[128];  /* mount: source; move_mount: from_path */
	char dest[256]; /* mount, umount: target; move_mount: to_path */
	char fs[32];    /* mount: filesystem type; fsopen: fs_name */
	char data[64];  /* mount: the data string */
};

#endif
