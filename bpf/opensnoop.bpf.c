// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * opensnoop. One program per syscall, at exit only: the arguments are read from the task's saved user
 * registers (vigil_user_regs), so there is no entry program and no per-thread map, unlike libbpf-tools'
 * enter/exit pair; at exit the kernel has already copied the path in, so reading it cannot fault.
 * The record is reserved in the ring and filled in place, submitted without a wakeup (ringbuf.bpf.h).
 * -F (BCC's --full-path) gives a relative path its directory, walked up in the kernel (fill_dir).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/opensnoop.h"

const volatile bool targ_failed = false; /* -x */
const volatile bool full_path = false;   /* -F: relative paths get their directory (opensnoop_full_event) */

VIGIL_RECORD_TYPE(opensnoop_event);
VIGIL_RECORD_TYPE(opensnoop_full_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
} events SEC(".maps");

static __always_inline void fill(struct opensnoop_event *e, long ret, int dirfd, const char *path, __u64 flags,
				 __u32 mode, const char *comm)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->ts_ns = bpf_ktime_get_boot_ns();
	e->flags = flags;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->mode = mode;
	e->dirfd = dirfd;
	__builtin_memcpy(e->comm, comm, VIGIL_TASK_COMM_LEN);
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = '\0';
}

/*
 * -F: the names from the directory the path is relative to (the cwd, or dirfd's) up to the task's root,
 * crossing mounts, as d_path() would find them (innermost first; user space reverses them). One step per
 * bpf_loop iteration: verified once, where an unrolled walk's branches would multiply past the verifier's limit.
 * The names are gathered in a per-CPU scratch buffer and copied into the record at the end.
 */
struct dir_walk {
	__u64 d, vm, mnt;       /* kernel pointers, read as values: the dentry, vfsmount and mount at this step */
	__u64 root_d, root_mnt; /* the task's root */
	__u32 off, depth;
	__u32 complete;         /* 1 once the walk reached the root */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[OPENSNOOP_DIR_LEN + OPENSNOOP_NAME_MAX]);
} dir_scratch SEC(".maps");

static long dir_step(__u32 index, void *ctx)
{
	struct dir_walk *w = ctx;
	struct dentry *d = (void *)w->d;
	struct vfsmount *vm = (void *)w->vm;
	struct mount *mnt = (void *)w->mnt;
	struct dentry *parent;
	const unsigned char *name;
	__u32 zero = 0;
	char *buf;
	long n;

	if (w->d == w->root_d && w->vm == w->root_mnt) {
		w->complete = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt) { /* the namespace's root mount */
			w->complete = 1;
			return 1;
		}
		w->d = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (__u64)up;
		w->vm = (__u64)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d || w->off >= OPENSNOOP_DIR_LEN)
		return 1;
	buf = bpf_map_lookup_elem(&dir_scratch, &zero);
	if (!buf)
		return 1;
	name = BPF_CORE_READ(d, d_name.name);
	n = bpf_probe_read_kernel_str(buf + (w->off & (OPENSNOOP_DIR_LEN - 1)), OPENSNOOP_NAME_MAX, name);
	if (n <= 0)
		return 1;
	w->off += n;
	w->depth++;
	w->d = (__u64)parent;
	return 0;
}

static __always_inline void fill_dir(struct opensnoop_full_event *f, int dirfd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dir_walk w = {};
	struct path root = {}, at = {};
	__u32 zero = 0;
	char *buf;

	f->depth = 0;
	f->truncated = 1;
	BPF_CORE_READ_INTO(&root, task, fs, root);
	if (dirfd == -100 /* AT_FDCWD */) {
		BPF_CORE_READ_INTO(&at, task, fs, pwd);
	} else {
		struct file *file = vigil_file_of_fd(dirfd);

		if (!file)
			return;
		BPF_CORE_READ_INTO(&at, file, f_path);
	}
	w.d = (__u64)at.dentry;
	w.vm = (__u64)at.mnt;
	w.mnt = (__u64)at.mnt - bpf_core_field_offset(struct mount, mnt);
	w.root_d = (__u64)root.dentry;
	w.root_mnt = (__u64)root.mnt;
	bpf_loop(OPENSNOOP_MAX_DEPTH, dir_step, &w, 0);
	buf = bpf_map_lookup_elem(&dir_scratch, &zero);
	if (!buf)
		return;
	bpf_probe_read_kernel(f->dir, sizeof(f->dir), buf);
	f->depth = w.depth;
	f->truncated = !w.complete;
}

static __always_inline int emit(long ret, int dirfd, const char *path, __u64 flags, __u32 mode)
{
	struct opensnoop_event *e;
	char comm[VIGIL_TASK_COMM_LEN];

	if (targ_failed && ret >= 0)
		return 0;
	if (!vigil_tool_wanted())
		return 0;
	bpf_get_current_comm(comm, sizeof(comm));
	if (!vigil_comm_contains(comm))
		return 0;
	if (full_path) { /* a constant: without -F the verifier drops this branch */
		char first = '/';

		bpf_probe_read_user(&first, 1, path);
		if (first != '/') {
			struct opensnoop_full_event *f = bpf_ringbuf_reserve(&events, sizeof(*f), 0);

			if (!f) {
				vigil_count_drop(OPENSNOOP_KIND_OPEN);
				return 0;
			}
			fill(&f->base, ret, dirfd, path, flags, mode, comm);
			fill_dir(f, dirfd);
			bpf_ringbuf_submit(f, vigil_submit_flags(&events));
			return 0;
		}
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(OPENSNOOP_KIND_OPEN);
		return 0;
	}
	fill(e, ret, dirfd, path, flags, mode, comm);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int handle_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	if (!regs)
		return 0;
	return emit(ctx->ret, -100, (const char *)regs->di, regs->si, regs->dx);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();

	if (!regs)
		return 0;
	return emit(ctx->ret, (int)regs->di, (const char *)regs->si, regs->dx, regs->r10);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = vigil_user_regs();
	struct open_how how = {};

	if (!regs)
		return 0;
	bpf_probe_read_user(&how, sizeof(how), (const void *)regs->dx);
	return emit(ctx->ret, (int)regs->di, (const char *)regs->si, how.flags, (__u32)how.mode);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
