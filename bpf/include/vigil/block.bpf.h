/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel side of the block tools (biolatency, biosnoop): a request's disk across kernel versions. */
#ifndef VIGIL_BLOCK_BPF_H
#define VIGIL_BLOCK_BPF_H

#include <bpf/bpf_core_read.h>

/* Kernels before 5.17 kept the disk in the request. */
struct request___pre517 {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* The request's disk as (major << 20) | minor, 0 when it has none. */
static __always_inline __u32 vigil_rq_dev(struct request *rq)
{
	struct gendisk *disk;

	if (bpf_core_field_exists(((struct request___pre517 *)rq)->rq_disk))
		disk = BPF_CORE_READ((struct request___pre517 *)rq, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << 20) | BPF_CORE_READ(disk, first_minor);
}

#endif
