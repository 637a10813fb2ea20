/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* biosnoop's record: one definition for both sides (Java: tools.block.BioSnoop). */
#ifndef VIGIL_BIOSNOOP_H
#define VIGIL_BIOSNOOP_H

#define VIGIL_BIOSNOOP_KIND_EVENT 0
#define VIGIL_BIOSNOOP_NO_QUEUE ((__u64)-1)

struct vigil_biosnoop_event {
	__u64 ts_ns;      /* completion, CLOCK_MONOTONIC */
	__u64 delta_ns;   /* issue to completion */
	__u64 qdelta_ns;  /* -Q: insert to issue; VIGIL_BIOSNOOP_NO_QUEUE when the request was not queued */
	__u64 sector;
	__u32 bytes;
	__u32 pid;        /* the issuer (0 and comm "?" when its start was not seen) */
	__u32 dev;        /* (major << 20) | minor */
	__u32 cmd_flags;
	char rwbs[8];     /* the kernel's blk_fill_rwbs letters: R, W, WS, FWFS, ... */
	char comm[16];
};

#endif
