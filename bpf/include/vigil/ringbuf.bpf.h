/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Vigil's ring buffer conventions, shared by every producer (kernel side only). */
#ifndef VIGIL_RINGBUF_BPF_H
#define VIGIL_RINGBUF_BPF_H

#include <bpf/bpf_helpers.h>

/*
 * Wakeup policy: a wakeup per record costs the producer ~1.7 us (PLATFORM.md), so records are
 * submitted without one and the reader drains on a short timer. Once the ring fills past
 * vigil_wakeup_bytes the producer forces ONE early wakeup, so a burst is drained before it overflows:
 * only the records that land just past the threshold (within VIGIL_WAKEUP_WINDOW bytes) force it.
 * Forcing on every record above the threshold would make a reader that is merely between timer ticks
 * cost ~1.5 us per record (bench/ringbuf measured it). A crossing missed by a race between CPUs only
 * delays the drain to the next tick. Works both before bpf_ringbuf_output and after a reserve.
 * The loader sets the threshold (a fraction of the ring size) before load.
 */
const volatile __u64 vigil_wakeup_bytes = 256 * 1024;

#define VIGIL_WAKEUP_WINDOW 4096

/* Forces a wakeup when the ring's fill is within window bytes past the threshold. */
static __always_inline __u64 vigil_wakeup_flags(void *ring, __u64 window)
{
	__u64 avail = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA);

	return avail >= vigil_wakeup_bytes && avail < vigil_wakeup_bytes + window
		? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline __u64 vigil_submit_flags(void *ring)
{
	return vigil_wakeup_flags(ring, VIGIL_WAKEUP_WINDOW);
}

/*
 * The same policy for a producer at one record per syscall: asking the ring for its fill reads the
 * consumer's position, a cache line the reader on another CPU keeps writing (~25 ns a record on the
 * sensor's hot path). Only every VIGIL_QUERY_EVERY-th record of a CPU (by its own counter) asks; the
 * window grows to match, so the crossing is still seen once.
 */
#define VIGIL_QUERY_EVERY 8

static __always_inline __u64 vigil_submit_flags_sampled(void *ring, __u64 counter)
{
	if (counter & (VIGIL_QUERY_EVERY - 1))
		return BPF_RB_NO_WAKEUP;
	return vigil_wakeup_flags(ring, VIGIL_QUERY_EVERY * VIGIL_WAKEUP_WINDOW);
}

/*
 * Drop accounting: every failed reserve is counted per CPU and per event kind in vigil_drops,
 * so user space can report exactly what was lost. Kinds are small integers defined by each
 * program's header.
 */
#define VIGIL_MAX_EVENT_KINDS 64

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_MAX_EVENT_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} vigil_drops SEC(".maps");

static __always_inline void vigil_count_drop(__u32 kind)
{
	__u64 *count = bpf_map_lookup_elem(&vigil_drops, &kind);

	if (count)
		*count += 1; /* per-CPU slot: no atomic needed */
}

#endif
