// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Maps of each common kind and a burst producer, for the library's tests. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vigil/ringbuf.bpf.h"
#include "test_progs.h"

const volatile __u32 target_tgid = 0;
const volatile __u32 records_per_call = 1;

__u64 produced = 0; /* .bss: every record attempted, read back by the test */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct test_record);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} ring SEC(".maps");

static long emit_one(__u32 index, void *ctx)
{
	__u64 seq = __sync_fetch_and_add(&produced, 1);
	struct test_record *r = bpf_ringbuf_reserve(&ring, sizeof(*r), 0);

	if (!r) {
		vigil_count_drop(TEST_KIND_BURST);
		return 0;
	}
	r->seq = seq;
	r->pid = target_tgid;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_ns = bpf_ktime_get_ns();
	bpf_ringbuf_submit(r, vigil_submit_flags(&ring));
	return 0;
}

/* Each getppid() of the target process emits records_per_call records and counts calls per CPU. */
SEC("tracepoint/syscalls/sys_enter_getppid")
int burst(void *ctx)
{
	__u32 zero = 0;
	__u64 *calls;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	calls = bpf_map_lookup_elem(&percpu, &zero);
	if (calls)
		*calls += 1;
	/* bpf_loop: the verifier checks the body once, not once per iteration */
	bpf_loop(records_per_call, emit_one, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
