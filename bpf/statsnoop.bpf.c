// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * statsnoop: the stat family at syscall exit only, arguments from the saved user registers (as
 * opensnoop.bpf.c): statfs, stat, lstat, fstatat (newfstatat) and statx.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/statsnoop.h"

const volatile bool trace_failed_only = false; /* -x */

VIGIL_RECORD_TYPE(statsnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

static __always_inline int emit(long ret, const char *path, __u32 syscall)
{
	struct statsnoop_event *e;
	__u64 id;

	if (trace_failed_only && ret >= 0)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(STATSNOOP_KIND_STAT);
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->syscall = syscall;
	e->reserved = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = '\0';
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

/* ARG: the register holding the path (di for the first argument, si for the second). */
#define STAT_EXIT(name, ARG, which)					\
SEC("tracepoint/syscalls/sys_exit_" #name)				\
int handle_exit_##name(struct trace_event_raw_sys_exit *ctx)		\
{									\
	struct pt_regs *regs = vigil_user_regs();			\
									\
	if (!regs)							\
		return 0;						\
	return emit(ctx->ret, (const char *)regs->ARG, which);		\
}

STAT_EXIT(statfs, di, STATSNOOP_STATFS)
STAT_EXIT(newstat, di, STATSNOOP_NEWSTAT)
STAT_EXIT(newlstat, di, STATSNOOP_NEWLSTAT)
STAT_EXIT(newfstatat, si, STATSNOOP_NEWFSTATAT)
STAT_EXIT(statx, si, STATSNOOP_STATX)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
