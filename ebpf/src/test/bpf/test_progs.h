/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Records of the library's test programs, shared with the Java tests (layout-checked via BTF). */
#ifndef VIGIL_TEST_PROGS_H
#define VIGIL_TEST_PROGS_H

#define TEST_KIND_BURST 0

struct test_record {
	__u64 seq;
	__u32 pid;
	__u32 cpu;
	__u64 ts_ns;
	char pad[40];   /* 64 bytes in all, like the benchmark's records */
};

#endif
