/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ring buffer benchmark's record (bench/ringbuf), shared by the kernel producer
 * (bpf/ringbench.bpf.c), the C consumer (bench/ringbuf/consumer.c) and the Java consumer
 * (dev.vigil.bench.ringbuf.RingBench, which checks its view against the object's BTF).
 * User space includes <linux/types.h> first.
 */
#ifndef VIGIL_RINGBENCH_H
#define VIGIL_RINGBENCH_H

/* Event kinds for vigil_drops. */
#define RINGBENCH_KIND_RECORD 0

/* Default ring size (the data area, a power of two): 16 MiB holds ~233k records of 64 + 8 bytes. */
#define RINGBENCH_DEFAULT_RING_BYTES (16u << 20)

/* A tgid that never exists: attach the program but filter every event out (the "filtered" cost). */
#define RINGBENCH_NO_TGID 0xffffffffu

struct ringbench_record {
	__u64 seq;      /* 0, 1, 2, ... per load: gaps in what a consumer sees are the counted drops */
	__u64 ts_ns;    /* bpf_ktime_get_ns() at sys_enter */
	__u32 pid;      /* tgid */
	__u32 tid;
	__u32 cpu;
	__s32 syscall_nr;
	__u64 pad[4];   /* 64 bytes in all */
};

#endif
