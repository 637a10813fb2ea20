/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel side of Vigil's tool harness (dev.vigil.ebpf.tool.BpfTool): the standard filters, set by
 * the harness before load (const volatile, so the verifier prunes what a run does not use), and the
 * log2 helpers behind in-kernel histograms. A tool includes this once and calls vigil_tool_wanted()
 * first thing in each program; the ring and the drop counters come from ringbuf.bpf.h.
 */
#ifndef VIGIL_TOOL_BPF_H
#define VIGIL_TOOL_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vigil/tool.h"

const volatile __u32 targ_pid = 0;   /* -p: a tgid, 0 = every process */
const volatile __u32 targ_tid = 0;   /* -t: a thread id, 0 = every thread */
const volatile __u32 targ_uid = VIGIL_INVALID_UID; /* -u */
const volatile bool filter_cgroup = false; /* -c / --container: cgroup_filter[0] holds the cgroup v2 directory */
/* -n: the comm must contain targ_name (see vigil_comm_contains); set by BpfTool.Builder.nameContains */
const volatile char targ_name[VIGIL_TASK_COMM_LEN] = {};
const volatile __u32 targ_name_len = 0;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/*
 * Puts struct NAME into the object's BTF even when programs only use it through a ring reservation
 * (BTF keeps the types of globals, maps and functions, not of locals): the Java view is checked against it.
 */
#define VIGIL_RECORD_TYPE(name) const volatile struct name *vigil_type_##name = 0

/* The standard filters for the current task; a tool adds its own checks after. */
static __always_inline bool vigil_tool_wanted(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (targ_pid && (id >> 32) != targ_pid)
		return false;
	if (targ_tid && (__u32)id != targ_tid)
		return false;
	if (targ_uid != VIGIL_INVALID_UID && (__u32)bpf_get_current_uid_gid() != targ_uid)
		return false;
	if (filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_filter, 0))
		return false;
	return true;
}

/* Whether comm (VIGIL_TASK_COMM_LEN bytes, NUL-terminated) contains targ_name; true without -n. */
static __always_inline bool vigil_comm_contains(const char *comm)
{
	__u32 i, j;

	if (targ_name_len == 0)
		return true;
	for (i = 0; i < VIGIL_TASK_COMM_LEN; i++) {
		bool match = true;

		for (j = 0; j < VIGIL_TASK_COMM_LEN - 1; j++) {
			if (j >= targ_name_len)
				break;
			if (i + j >= VIGIL_TASK_COMM_LEN || comm[i + j] != targ_name[j]) {
				match = false;
				break;
			}
		}
		if (match)
			return true;
		if (comm[i] == '\0')
			break;
	}
	return false;
}

/* The current task's user registers as saved at syscall entry (arguments in di, si, dx, r10, r8, r9),
 * readable at syscall exit too, so one exit program needs no entry program and no map; NULL for a
 * kernel thread. */
static __always_inline struct pt_regs *vigil_user_regs(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task->flags & 0x00200000 /* PF_KTHREAD */)
		return NULL;
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* The current task's open file at fd (a syscall's fd argument), NULL if there is none. */
static __always_inline struct file *vigil_file_of_fd(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return NULL;
	return file;
}

/* floor(log2(v)), 0 for v <= 1: the slot of v in a struct vigil_hist (clamped by vigil_hist_add). */
static __always_inline __u32 vigil_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline void vigil_hist_add(struct vigil_hist *h, __u64 v)
{
	__u32 slot = vigil_log2(v);

	if (slot >= VIGIL_HIST_SLOTS)
		slot = VIGIL_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
}

#endif
