/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The key of the stack-counting tools (profile, offcputime): who ran and which stacks, as ids into
 * the tool's stack trace map. A negative id is bpf_get_stackid's error (no such stack, map full).
 * One definition for both sides: Java checks its view (tools.stacks.StackKey) against BTF.
 */
#ifndef VIGIL_STACKS_H
#define VIGIL_STACKS_H

#define VIGIL_MAX_STACK_DEPTH 127

struct vigil_stack_key {
	__u32 pid;            /* thread id */
	__u32 tgid;           /* process id */
	__s32 user_stack_id;
	__s32 kern_stack_id;
	char comm[16];
};

#endif
