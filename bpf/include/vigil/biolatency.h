/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* biolatency's histogram key: one definition for both sides (Java: tools.block.BioLatency). */
#ifndef VIGIL_BIOLATENCY_H
#define VIGIL_BIOLATENCY_H

struct biolatency_key {
	__u32 dev;    /* -D: (major << 20) | minor of the disk, else 0 */
	__u32 flags;  /* -F: the request's cmd_flags, else 0 */
};

#endif
