// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sensor: one record per traced syscall, emitted at syscall exit into one ring (so the order the
 * process table depends on is kept), plus process lifecycle from the sched tracepoints.
 *
 * Syscalls: one generic exit handler, reached by one of two hooks user space picks: the syscalls/sys_exit_X
 * tracepoints of the selected syscalls only (the default: nothing runs for the others), or one program on the
 * raw sys_exit tracepoint for every syscall, which filters by number (cheaper per captured syscall). What to
 * read for each syscall (paths, dirfds, strings, sockaddrs, sockets) is data: the sensor_specs map, keyed
 * by syscall number, written by user space. There is no enter program: the arguments are still in the
 * task's saved user registers at exit (the syscall ABI preserves them, as Falco's modern probe relies on
 * too), so a captured syscall runs one program, not two plus a per-thread stash map, and the user strings
 * are read at exit (the kernel has copied them by then; the memory is still there).
 *
 * Paths are emitted as the process passed them, plus the absolute path of the base directory (the cwd or
 * the dirfd's file, walked dentry by dentry across mounts) when they are relative; user space joins them.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/sensor.h"
#include "vigil/prefilter.bpf.h"

#define AT_FDCWD -100
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define WALK_MAX_DEPTH 48
#define WALK_BUF 8192
#define WALK_END 4095

/* v & m, with the mask kept even where the compiler can prove it redundant (the verifier cannot). */
#define MASKED(v, m) ({ __u64 __v = (v); asm volatile("" : "+r"(__v)); __v & (m); })

/* Vigil's own process: never traced. */
const volatile __u32 self_tgid = 0;

/*
 * 1: the raw sys_exit hook reports every selected syscall (Sensor.SyscallHook.RAW). 0: it runs beside the
 * per-syscall tracepoints and reports only the syscalls this kernel has no tracepoint for (spec raw_only:
 * init_module on a kernel without modules still returns ENOSYS to an attempt worth seeing).
 */
const volatile __u32 raw_hook_all = 1;
/*
 * Beside the tracepoints, the raw hook still runs at every syscall's exit of every process: with the few
 * syscall numbers it is there for listed here (raw_only_listed), it compares them before anything else
 * instead of looking each syscall up in the spec map (83 ns a syscall measured with bpf_stats, issue #17).
 */
#define SENSOR_RAW_ONLY_MAX 4
const volatile __u32 raw_only_listed = 0;
const volatile __s32 raw_only_nrs[SENSOR_RAW_ONLY_MAX] = {-1, -1, -1, -1};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} sensor_ring SEC(".maps");

/* Reserve failures per record kind, per CPU (vigil_drops has 64 kinds; the sensor has up to 128). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SENSOR_MAX_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} sensor_drops SEC(".maps");

/* Per-CPU emission counter: every record tries one sequence number, so missing numbers are drops. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sensor_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SENSOR_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct sensor_spec);
} sensor_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sensor_config);
} sensor_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} sensor_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[SENSOR_COMM_LEN]);
	__type(value, __u8);
} sensor_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} sensor_cgroups SEC(".maps");

struct scratch {
	struct sensor_event ev;
	char walk[WALK_BUF];
	int walk_pos;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} sensor_scratch SEC(".maps");

/* The BTF the Java views are checked against (the structs are otherwise only reached through maps). */
struct sensor_sock _sensor_sock_btf = {};
struct sensor_pollfd _sensor_pollfd_btf = {};
_Static_assert(SENSOR_POLL_FDS_MAX * sizeof(struct sensor_pollfd) <= SENSOR_SOCKADDR_MAX,
	       "a poll's fds are copied by put_user_bytes, bounded by SENSOR_SOCKADDR_MAX");
struct sensor_event _sensor_event_btf = {};

/* The task's cgroup v2 id, as bpf_get_current_cgroup_id() computes it, by BTF loads instead of a helper call. */
static __always_inline __u64 cgroup_id_of(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

/* Whether the task passes the runtime filters. One task pointer serves the whole program: no helper per field. */
static __always_inline bool traced_task(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u32 zero = 0;
	struct sensor_config *cfg;

	if (tgid == self_tgid)
		return false;
	cfg = bpf_map_lookup_elem(&sensor_config, &zero);
	if (!cfg)
		return true;
	if (cfg->paused)
		return false;
	if (cfg->pid_filter && !bpf_map_lookup_elem(&sensor_pids, &tgid))
		return false;
	if (cfg->comm_filter) {
		char comm[SENSOR_COMM_LEN] = {};

		bpf_get_current_comm(comm, sizeof(comm));
		if (!bpf_map_lookup_elem(&sensor_comms, comm))
			return false;
	}
	if (cfg->cgroup_filter) {
		__u64 cg = cgroup_id_of(task);

		if (!bpf_map_lookup_elem(&sensor_cgroups, &cg))
			return false;
	}
	return true;
}

static __always_inline bool traced(void)
{
	return traced_task(bpf_get_current_task_btf());
}

/*
 * kernel_cap_t is { u64 val } since 6.3 and { u32 cap[2] } before (6.1, 5.x): without this fallback the
 * sensor_exec program failed its CO-RE relocation and the whole object refused to load on those kernels.
 */
struct kernel_cap_pre63 {
	__u32 cap[2];
};

struct cred___pre63 {
	struct kernel_cap_pre63 cap_effective, cap_permitted, cap_inheritable;
};

#define CRED_CAPS(cred, field) (bpf_core_field_exists((cred)->field.val)					\
	? BPF_CORE_READ(cred, field.val)								\
	: ((__u64)BPF_CORE_READ((struct cred___pre63 *)(cred), field.cap[1]) << 32				\
		| BPF_CORE_READ((struct cred___pre63 *)(cred), field.cap[0])))

static __always_inline struct scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sensor_scratch, &zero);
}

/*
 * The task's pid and tgid as its own pid namespace numbers them. In the initial namespace (level 0, most
 * processes) they are the global ones, with no further reads.
 */
static __always_inline void fill_vpid(struct sensor_hdr *h, struct task_struct *task)
{
	struct pid *tp = task->thread_pid;
	unsigned int level = tp->level;
	struct signal_struct *sig = task->signal;
	struct pid *pg = sig->pids[PIDTYPE_PGID];
	struct pid *lp;

	h->pgid = pg ? pg->numbers[0].nr : 0;
	h->sid = sig->pids[PIDTYPE_SID] ? sig->pids[PIDTYPE_SID]->numbers[0].nr : 0;
	if (level == 0) {
		h->vpid = h->pid;
		h->vtid = h->tid;
		h->vpgid = h->pgid;
		return;
	}
	/* numbers[] is indexed by a runtime level: a probe read (a BTF load needs a constant offset) */
	h->vtid = BPF_CORE_READ(tp, numbers[level].nr);
	lp = task->group_leader->thread_pid;
	h->vpid = BPF_CORE_READ(lp, numbers[level].nr);
	/* a group whose leader lives outside the namespace has no number in it (pid_nr_ns's test) */
	h->vpgid = pg && BPF_CORE_READ(pg, level) >= level ? BPF_CORE_READ(pg, numbers[level].nr) : 0;
}

/*
 * Fills the header from the current task. The task is a BTF pointer: each field is one faulting load (a
 * PROBE_MEM instruction), not a bpf_probe_read_kernel call, which matters at one record per syscall.
 */
static __always_inline void fill_header_of(struct sensor_hdr *h, struct task_struct *task, __u16 kind, long ret)
{
	const struct cred *cred = task->cred;
	struct nsproxy *ns = task->nsproxy;

	h->kind = kind;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_mono = bpf_ktime_get_ns();
	h->ret = ret;
	h->pid = task->tgid;
	h->tid = task->pid;
	h->ppid = task->real_parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->euid = cred->euid.val;
	h->egid = cred->egid.val;
	if (bpf_core_field_exists(task->loginuid))
		h->loginuid = task->loginuid.val;
	else
		h->loginuid = (__u32)-1;
	h->cgroup_id = cgroup_id_of(task);
	h->pid_ns = ns->pid_ns_for_children->ns.inum;
	h->mnt_ns = ns->mnt_ns->ns.inum;
	h->net_ns = ns->net_ns->ns.inum;
	fill_vpid(h, task);
	/* two loads, not bpf_get_current_comm's locked copy; a rename racing with it is harmless */
	*(__u64 *)&h->comm[0] = *(__u64 *)&task->comm[0];
	*(__u64 *)&h->comm[8] = *(__u64 *)&task->comm[8];
	__builtin_memset(h->blob_len, 0, sizeof(h->blob_len));
	h->file_layer = 0;
}

static __always_inline void fill_header(struct sensor_hdr *h, __u16 kind, long ret)
{
	fill_header_of(h, bpf_get_current_task_btf(), kind, ret);
}

/* Takes the CPU's next sequence number: every record tries one, so missing numbers are drops. */
static __always_inline __u64 next_seq(void)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&sensor_seq, &zero), n = 0;

	if (seq) {
		n = *seq;
		*seq = n + 1;
	}
	return n;
}

static __always_inline void count_drop(__u32 kind)
{
	__u64 *count;

	kind &= SENSOR_MAX_KINDS - 1;
	count = bpf_map_lookup_elem(&sensor_drops, &kind);
	if (count)
		*count += 1;
}

/* Emits the record (header + data_len bytes of blobs); counts a drop per kind when the ring is full. */
static __always_inline void emit(struct sensor_event *ev, __u32 data_len)
{
	__u64 len, seq = next_seq();

	ev->hdr.seq = seq;
	if (data_len > SENSOR_DATA_SIZE)
		data_len = SENSOR_DATA_SIZE;
	len = sizeof(struct sensor_hdr) + data_len;
	ev->hdr.size = len;
	if (bpf_ringbuf_output(&sensor_ring, ev, len, vigil_submit_flags_sampled(&sensor_ring, seq)))
		count_drop(ev->hdr.kind);
}

/*
 * Writes the absolute path of (dentry, vfsmount) into walk[pos..WALK_END] (NUL at WALK_END), walking
 * d_parent up to the mount root and crossing to the parent mount, like d_path(): up to the current task's root,
 * so a chrooted process's paths are the ones it sees (as Falco reports them), not prefixed by its chroot.
 * Returns the start position, or -1.
 */
static __noinline int walk_path(struct scratch *s, struct dentry *dentry, struct vfsmount *vfsmnt)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dentry *fs_root = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *fs_root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	struct mount *mnt;
	int i;

	if (!s || !dentry || !vfsmnt)
		return -1;
	mnt = (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	s->walk[WALK_END] = 0;
	/*
	 * The write position lives in map memory, not in a register: the verifier then sees it as an unknown
	 * scalar at every iteration (bounded by masks where used), so the states at the loop head compare equal
	 * and the 48 iterations are verified in linear, not exponential, time.
	 */
	s->walk_pos = WALK_END;
	for (i = 0; i < WALK_MAX_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		struct qstr name;
		__u32 len;
		int pos;

		if (dentry == fs_root && vfsmnt == fs_root_mnt)
			break; /* the task's root: "/" for it */
		if (dentry == root) {
			struct mount *mparent = BPF_CORE_READ(mnt, mnt_parent);

			if (mparent == mnt || !mparent)
				break; /* the global root, or the root of an internal mount */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mparent;
			vfsmnt = (struct vfsmount *)((void *)mnt + bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		if (bpf_probe_read_kernel(&name, sizeof(name), &dentry->d_name))
			break;
		len = name.len & 255;
		pos = s->walk_pos;
		if (pos - (int)len - 1 < 0)
			break; /* too deep: the path keeps its deepest components */
		pos -= len;
		bpf_probe_read_kernel(&s->walk[MASKED(pos, WALK_END)], len, name.name);
		pos -= 1;
		s->walk[MASKED(pos, WALK_END)] = '/';
		s->walk_pos = pos;
		if (dentry == parent)
			break; /* a pseudo file's dentry (memfd, pipe, socket): its own root, named "/NAME" */
		dentry = parent;
	}
	if (s->walk_pos == WALK_END) {
		s->walk[(WALK_END - 1) & WALK_END] = '/';
		s->walk_pos = WALK_END - 1;
	}
	return s->walk_pos;
}

/* Copies the walked path into blob `slot` at data offset *off. */
static __always_inline void put_walk(struct scratch *s, int pos, int slot, __u32 *off)
{
	__u32 len, o = *off;

	if (pos < 0 || pos > WALK_END || o >= SENSOR_DATA_LIMIT)
		return;
	len = WALK_END + 1 - pos;
	if (len > SENSOR_PATH_MAX)
		return;
	if (bpf_probe_read_kernel(&s->ev.data[MASKED(o, SENSOR_DATA_LIMIT - 1)], MASKED(len, SENSOR_PATH_MAX - 1),
				  &s->walk[MASKED(pos, WALK_END)]))
		return;
	s->ev.hdr.blob_len[slot & 7] = len;
	*off = o + len;
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * fd_file for a BTF task pointer (bpf_get_current_task_btf): the table is reached by direct loads, and only the
 * fd's slot is a probe read (a BTF pointer takes no variable index), 1 helper call instead of 7.
 */
static __always_inline struct file *fd_file_btf(struct task_struct *task, int fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]);
	return f;
}

/* The base directory of a relative path: the cwd, or the file of dirfd. */
static __always_inline void put_base(struct scratch *s, long dirfd, int slot, __u32 *off)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dentry *d;
	struct vfsmount *m;

	if (dirfd == AT_FDCWD) {
		d = BPF_CORE_READ(task, fs, pwd.dentry);
		m = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = fd_file(task, (int)dirfd);

		if (!f)
			return;
		d = BPF_CORE_READ(f, f_path.dentry);
		m = BPF_CORE_READ(f, f_path.mnt);
	}
	put_walk(s, walk_path(s, d, m), slot, off);
}

static __always_inline long put_user_str(struct scratch *s, const char *p, int slot, __u32 *off)
{
	__u32 o = *off;
	long n;

	if (!p || o >= SENSOR_DATA_LIMIT)
		return -1;
	n = bpf_probe_read_user_str(&s->ev.data[MASKED(o, SENSOR_DATA_LIMIT - 1)], SENSOR_PATH_MAX, p);
	if (n <= 0)
		return -1;
	s->ev.hdr.blob_len[slot & 7] = n;
	*off = o + n;
	return n;
}

static __always_inline void put_user_bytes(struct scratch *s, const void *p, __u32 len, int slot, __u32 *off)
{
	__u32 o = *off;

	if (!p || o >= SENSOR_DATA_LIMIT || len == 0)
		return;
	if (len > SENSOR_SOCKADDR_MAX)
		len = SENSOR_SOCKADDR_MAX;
	if (bpf_probe_read_user(&s->ev.data[MASKED(o, SENSOR_DATA_LIMIT - 1)], MASKED(len, SENSOR_PATH_MAX - 1), p))
		return;
	s->ev.hdr.blob_len[slot & 7] = len;
	*off = o + len;
}

static __always_inline void read_unix_path(char *dst, struct sock *sk)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;

	if (!addr)
		return;
	len = BPF_CORE_READ(addr, len) - 2; /* minus sun_family */
	if (len <= 0)
		return;
	if (len > SENSOR_UNIX_PATH_MAX - 1)
		len = SENSOR_UNIX_PATH_MAX - 1;
	bpf_probe_read_kernel(dst, len & 127, (void *)addr->name + 2);
}

/* struct sock_common's bytes put_sock reads at once (through skc_v6_rcv_saddr, 88 on 6.18; a power of two for the mask) */
#define SK_CHUNK 128
/* a sock_common field's offset in that copy, bounded for the verifier (the relocated offset is a constant) */
#define SKC_OFF(field) (bpf_core_field_offset(struct sock_common, field) & (SK_CHUNK - 1))

#define VIGIL_S_IFMT 00170000
#define VIGIL_S_IFSOCK 0140000

/*
 * Slot 5: the socket behind fd, both ends, from the kernel's own state; for an fd that is not a socket, or not open,
 * hdr.file_layer says so (SENSOR_FD_NOT_SOCK, SENSOR_FD_CLOSED).
 */
static __noinline void put_sock(struct scratch *s, long fd, __u32 *off)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct sensor_sock *out;
	struct file *f;
	struct socket *sock;
	struct sock *sk;
	__u8 *c;
	__u32 o, po, to;

	if (!s || !off)
		return;
	o = *off;
	if (o >= SENSOR_DATA_LIMIT)
		return;
	f = fd_file_btf(task, (int)fd);
	if (!f) {
		s->ev.hdr.file_layer = SENSOR_FD_CLOSED;
		return;
	}
	/* private_data is a struct socket only for a socket's file: anything else is not one (a file's is NULL or its own) */
	if ((BPF_CORE_READ(f, f_inode, i_mode) & VIGIL_S_IFMT) != VIGIL_S_IFSOCK) {
		s->ev.hdr.file_layer = SENSOR_FD_NOT_SOCK;
		return;
	}
	sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return;
	out = (struct sensor_sock *)&s->ev.data[MASKED(o, SENSOR_DATA_LIMIT - 1)];
	__builtin_memset(out, 0, sizeof(*out));
	/*
	 * The addresses, ports and family are all in struct sock_common, at the start of struct sock: one probe read of
	 * it into the (here unused) walk buffer instead of one per field (issue #17: ~15 reads per socket record).
	 */
	c = (__u8 *)s->walk;
	if (bpf_core_field_offset(struct sock_common, skc_v6_rcv_saddr) + 16 > SK_CHUNK ||
	    bpf_probe_read_kernel(c, SK_CHUNK, sk))
		return;
	out->family = *(__u16 *)&c[SKC_OFF(skc_family)];
	/* sk_protocol and sk_type are neighbours (6.x): one read of both */
	po = bpf_core_field_offset(struct sock, sk_protocol);
	to = bpf_core_field_offset(struct sock, sk_type);
	if (to == po + 2 && bpf_core_field_size(struct sock, sk_protocol) == 2 && bpf_core_field_size(struct sock, sk_type) == 2) {
		__u32 w = 0;

		bpf_probe_read_kernel(&w, sizeof(w), (void *)sk + po);
		out->protocol = w & 0xffff;
		out->type = w >> 16;
	} else {
		out->type = BPF_CORE_READ(sk, sk_type);
		out->protocol = BPF_CORE_READ(sk, sk_protocol);
	}
	if (out->family == AF_INET) {
		__builtin_memcpy(out->laddr, &c[SKC_OFF(skc_rcv_saddr)], 4);
		__builtin_memcpy(out->raddr, &c[SKC_OFF(skc_daddr)], 4);
		out->lport = *(__u16 *)&c[SKC_OFF(skc_num)];
		out->rport = bpf_ntohs(*(__u16 *)&c[SKC_OFF(skc_dport)]);
	} else if (out->family == AF_INET6) {
		__builtin_memcpy(out->laddr, &c[SKC_OFF(skc_v6_rcv_saddr)], 16);
		__builtin_memcpy(out->raddr, &c[SKC_OFF(skc_v6_daddr)], 16);
		out->lport = *(__u16 *)&c[SKC_OFF(skc_num)];
		out->rport = bpf_ntohs(*(__u16 *)&c[SKC_OFF(skc_dport)]);
	} else if (out->family == AF_UNIX) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);

		read_unix_path(out->lpath, sk);
		if (peer)
			read_unix_path(out->rpath, peer);
	}
	s->ev.hdr.blob_len[5] = sizeof(*out);
	*off = o + sizeof(*out);
}

/*
 * execveat, marked at entry: at sched_process_exec the saved registers say execve (59) for both (seen on
 * 6.18), so the one syscall that needs telling apart gets its own small enter program, attached only when
 * execveat is selected. Keyed by the exec'ing thread's id (sched_process_exec's old_pid).
 */
#define NR_EXECVEAT 322

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} sensor_execveat SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execveat")
int sensor_execveat_enter(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u8 one = 1;

	if (traced())
		bpf_map_update_elem(&sensor_execveat, &tid, &one, BPF_ANY);
	return 0;
}

/* ---- syscalls ---- */

#define PF_KTHREAD 0x00200000
#define TS_COMPAT 0x0002 /* x86 thread_info.status: in a 32-bit syscall */

/* A syscall's arguments from the task's saved user registers (x86-64: rdi, rsi, rdx, r10, r8, r9). */
static __always_inline void copy_args(struct pt_regs *regs, __u64 *args)
{
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

/*
 * The number (orig_ax) and arguments of the current task's syscall. Returns -1 for a kernel thread, whose
 * saved registers mean nothing.
 */
static __always_inline long syscall_regs(__u64 *args)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;

	if (task->flags & PF_KTHREAD)
		return -1;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	copy_args(regs, args);
	return regs->orig_ax;
}

/* A spec that reads nothing beyond the registers: its record is the header alone. */
static __always_inline bool header_only(const struct sensor_spec *spec)
{
	return spec->path[0] < 0 && spec->path[1] < 0 && spec->str < 0 && spec->sockaddr < 0 &&
	       !(spec->flags & (SENSOR_SPEC_SOCK_ARG0 | SENSOR_SPEC_SOCK_RET | SENSOR_SPEC_CAPS)) &&
	       !(spec->flags2 & SENSOR_SPEC2_POLLFDS);
}

/*
 * close, dup, kill, setuid, ...: the header is written straight into the ring, with no per-CPU scratch
 * and no copy (bpf_ringbuf_output copies the whole record). Every byte of the reservation is written:
 * ring memory holds older records.
 */
static __always_inline void emit_header_only(struct task_struct *task, struct pt_regs *regs,
					     const struct sensor_spec *spec, __u32 nr, long ret)
{
	__u64 seq = next_seq();
	struct sensor_hdr *h = bpf_ringbuf_reserve(&sensor_ring, sizeof(*h), 0);

	if (!h) {
		count_drop(spec->kind);
		return;
	}
	fill_header_of(h, task, spec->kind, ret);
	h->size = sizeof(*h);
	h->seq = seq;
	h->syscall_nr = nr;
	copy_args(regs, (__u64 *)h->args);
	bpf_ringbuf_submit(h, vigil_submit_flags_sampled(&sensor_ring, seq));
}

static __noinline void put_paths(struct scratch *s, struct sensor_spec *spec, __u32 *off)
{
	int k;

	if (!s || !spec || !off)
		return;
	for (k = 0; k < 2; k++) {
		int pi = spec->path[k];
		int di = spec->dirfd[k];
		const char *p;
		__u32 start = *off;
		char first = 0;

		if (pi < 0 || pi >= SENSOR_NARGS)
			continue;
		p = (const char *)s->ev.hdr.args[pi];
		if (put_user_str(s, p, 2 * k, off) <= 0)
			continue;
		first = s->ev.data[MASKED(start, SENSOR_DATA_LIMIT - 1)];
		if (first == '/')
			continue;
		put_base(s, di >= 0 && di < SENSOR_NARGS ? (long)(int)s->ev.hdr.args[di] : AT_FDCWD, 2 * k + 1, off);
	}
}

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
/* include/linux/fs.h: set by the open that created the file (bit 20 since 4.19; checked on 6.1 and 6.18) */
#define FMODE_CREATED (1U << 20)

/*
 * Which overlayfs layer a file is in (SENSOR_FILE_*, 0 off overlayfs). An overlayfs inode is the vfs_inode member
 * of struct ovl_inode, followed by its __upperdentry (overlayfs is a module: its types are not in vmlinux BTF, so
 * the pointer is read from just past struct inode, as Falco's probe does); set when the file exists in the upper
 * layer (written or copied up in the container), NULL when only a lower layer (the image) has it.
 */
static __always_inline __u32 file_layer(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct dentry *upper = NULL;

	if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)ino + bpf_core_type_size(struct inode));
	return upper ? SENSOR_FILE_UPPER_LAYER : SENSOR_FILE_LOWER_LAYER;
}

/*
 * One traced syscall's exit, whichever hook delivered it: regs are the task's saved user registers (the
 * arguments), nr and ret the syscall's number and result.
 */
static __always_inline int on_sys_exit(struct task_struct *task, struct pt_regs *regs, __u32 nr, long ret, bool raw)
{
	struct sensor_spec *spec = bpf_map_lookup_elem(&sensor_specs, &nr);
	__u32 off = 0;
	struct scratch *s;
	__u64 *args;

	if (!spec || !spec->kind || (spec->flags & SENSOR_SPEC_CLONE))
		return 0; /* the fork family is reported by sched_process_fork */
	if (raw && !raw_hook_all && !spec->raw_only)
		return 0; /* its own tracepoint reports it */
	if ((spec->flags & SENSOR_SPEC_EXEC) && ret == 0)
		return 0; /* sched_process_exec emits successful execs, with the new image */
	if (nr == NR_EXECVEAT) {
		__u32 tid = task->pid;

		bpf_map_delete_elem(&sensor_execveat, &tid); /* it failed: no exec will look for the mark */
	}
	if ((task->flags & PF_KTHREAD) || !traced_task(task))
		return 0; /* a kernel thread's saved registers mean nothing */
	if (vigil_prefilter_drops(regs, spec->kind, spec->path[0], ret))
		return 0; /* no loaded rule or state need can use it (issue #17) */
	if (header_only(spec)) {
		emit_header_only(task, regs, spec, nr, ret);
		return 0;
	}
	s = scratch();
	if (!s)
		return 0;
	fill_header_of(&s->ev.hdr, task, spec->kind, ret);
	s->ev.hdr.syscall_nr = nr;
	args = (__u64 *)s->ev.hdr.args;
	copy_args(regs, args);
	if (spec->flags & SENSOR_SPEC_CAPS) {
		/* capset's two arguments are pointers: the result is the task's capabilities now */
		const struct cred *cred = BPF_CORE_READ(task, cred);

		args[2] = CRED_CAPS(cred, cap_inheritable);
		args[3] = CRED_CAPS(cred, cap_permitted);
		args[4] = CRED_CAPS(cred, cap_effective);
	}
	put_paths(s, spec, &off);
	if (spec->str >= 0 && spec->str < SENSOR_NARGS)
		put_user_str(s, (const char *)args[spec->str], 4, &off);
	else if (spec->sockaddr >= 0 && spec->sockaddr < SENSOR_NARGS) {
		const void *sa = (const void *)args[spec->sockaddr];
		__u32 len = SENSOR_SOCKADDR_MAX;

		if (spec->flags & SENSOR_SPEC_MSGHDR) {
			/* sendmsg/recvmsg: the address is msg_name (on receive, filled and sized by the kernel) */
			struct user_msghdr m = {};

			bpf_probe_read_user(&m, sizeof(m), sa);
			sa = m.msg_name;
			len = m.msg_namelen;
		} else if (spec->sockaddr_len >= 0 && spec->sockaddr_len < SENSOR_NARGS) {
			len = (__u32)args[spec->sockaddr_len];
			if (spec->flags & SENSOR_SPEC_LEN_PTR) {
				__u32 n = 0;

				bpf_probe_read_user(&n, sizeof(n), (const void *)args[spec->sockaddr_len]);
				len = n;
			}
		}
		put_user_bytes(s, sa, len, 4, &off);
	} else if (spec->flags2 & SENSOR_SPEC2_POLLFDS) {
		/* the fd array, bounded: fdlist.* name the fds from the process's fd table in user space */
		__u64 nfds = args[1];

		if (nfds > SENSOR_POLL_FDS_MAX)
			nfds = SENSOR_POLL_FDS_MAX;
		put_user_bytes(s, (const void *)args[0], (__u32)nfds * sizeof(struct sensor_pollfd), 4, &off);
	}
	if (spec->flags & SENSOR_SPEC_SOCK_ARG0)
		put_sock(s, (long)(int)args[0], &off);
	else if ((spec->flags & SENSOR_SPEC_SOCK_RET) && ret >= 0)
		put_sock(s, ret, &off);
	if ((spec->flags2 & SENSOR_SPEC2_FILE_RET) && ret >= 0) {
		struct file *f = fd_file_btf(task, (int)ret);

		if (f)
			s->ev.hdr.file_layer = file_layer(f) |
					       (BPF_CORE_READ(f, f_mode) & FMODE_CREATED ? SENSOR_FILE_CREATED : 0);
	}
	emit(&s->ev, off);
	return 0;
}

/*
 * The default hook: attached to the syscalls/sys_exit_X tracepoint of each selected syscall only, so a
 * syscall nobody asked for runs no program. The registers come from the task.
 */
SEC("tracepoint/syscalls/sys_exit_openat")
int sensor_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return on_sys_exit(task, (struct pt_regs *)bpf_task_pt_regs(task), (__u32)ctx->id, ctx->ret, false);
}

/*
 * The raw hook (Sensor.SyscallHook.RAW): one program on every syscall's exit, which filters by the spec
 * map. Cheaper per captured syscall (no per-syscall perf record before the program, the registers are an
 * argument), dearer for every other syscall: the trade the user picks.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sensor_sys_exit_raw, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	struct task_struct *task;

	if (!raw_hook_all && raw_only_listed && nr != raw_only_nrs[0] && nr != raw_only_nrs[1] &&
	    nr != raw_only_nrs[2] && nr != raw_only_nrs[3])
		return 0;
	if (nr < 0 || nr >= SENSOR_MAX_SYSCALLS)
		return 0; /* also an x32 call: its number carries bit 30 */
	task = bpf_get_current_task_btf();
	/* a 32-bit (ia32) call numbers syscalls its own way; the syscalls/ tracepoints skip them too */
	if (bpf_core_field_exists(task->thread_info.status) && (task->thread_info.status & TS_COMPAT))
		return 0;
	return on_sys_exit(task, regs, (__u32)nr, ret, true);
}

/* ---- process lifecycle ---- */

/*
 * The record kind of the traced syscall the current task is in (0: none, or not traced), if its spec has
 * the flag; *args0 gets its first argument.
 */
static __always_inline __u32 syscall_kind(__u8 flag, __u64 *args0)
{
	__u64 args[SENSOR_NARGS];
	long nr = syscall_regs(args);
	struct sensor_spec *spec;
	__u32 key;

	if (nr < 0 || nr >= SENSOR_MAX_SYSCALLS)
		return 0;
	key = nr;
	spec = bpf_map_lookup_elem(&sensor_specs, &key);
	if (!spec || !(spec->flags & flag))
		return 0;
	if (args0)
		*args0 = args[0];
	return spec->kind;
}

#define CAP_DAC_OVERRIDE 1

/* What proc.is_exe_upper_layer / is_exe_lower_layer (file_layer) and is_exe_writable read. */
static __always_inline __u64 exe_flags(struct file *exe, const struct cred *cred)
{
	struct inode *ino = BPF_CORE_READ(exe, f_inode);
	umode_t mode = BPF_CORE_READ(ino, i_mode);
	__u32 layer = file_layer(exe);
	__u64 flags = 0;

	if (layer == SENSOR_FILE_UPPER_LAYER)
		flags |= SENSOR_EXE_UPPER_LAYER;
	else if (layer == SENSOR_FILE_LOWER_LAYER)
		flags |= SENSOR_EXE_LOWER_LAYER;
	if ((mode & 0002) || ((mode & 0200) && BPF_CORE_READ(ino, i_uid.val) == BPF_CORE_READ(cred, fsuid.val)) ||
	    ((mode & 0020) && BPF_CORE_READ(ino, i_gid.val) == BPF_CORE_READ(cred, fsgid.val)) ||
	    (CRED_CAPS(cred, cap_effective) & (1ULL << CAP_DAC_OVERRIDE)))
		flags |= SENSOR_EXE_WRITABLE;
	return flags;
}

/* The inode times before 6.6 (6.1: struct timespec64 i_ctime, i_mtime) and in 6.6 (__i_ctime; i_mtime still a timespec64). */
struct inode___pre66 {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
};

struct inode___66 {
	struct timespec64 i_mtime;
	struct timespec64 __i_ctime;
};

/* The executable inode's change and modification times (proc.exe_ino.ctime/mtime), nanoseconds since the epoch. */
static __always_inline void exe_times(struct inode *ino, __u64 *t)
{
	if (bpf_core_field_exists(ino->i_ctime_sec)) {
		/* multigrain timestamps (6.13+) keep a "queried" flag in the ctime nanoseconds' top bit */
		t[0] = BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ULL + (BPF_CORE_READ(ino, i_ctime_nsec) & 0x7fffffff);
		t[1] = BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ULL + BPF_CORE_READ(ino, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___66 *)ino)->__i_ctime)) {
		struct inode___66 *i = (void *)ino;

		t[0] = BPF_CORE_READ(i, __i_ctime.tv_sec) * 1000000000ULL + BPF_CORE_READ(i, __i_ctime.tv_nsec);
		t[1] = BPF_CORE_READ(i, i_mtime.tv_sec) * 1000000000ULL + BPF_CORE_READ(i, i_mtime.tv_nsec);
	} else {
		struct inode___pre66 *i = (void *)ino;

		t[0] = BPF_CORE_READ(i, i_ctime.tv_sec) * 1000000000ULL + BPF_CORE_READ(i, i_ctime.tv_nsec);
		t[1] = BPF_CORE_READ(i, i_mtime.tv_sec) * 1000000000ULL + BPF_CORE_READ(i, i_mtime.tv_nsec);
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sensor_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct scratch *s;
	struct mm_struct *mm;
	struct file *exe;
	unsigned long arg_start, arg_end;
	__u32 off = 0, len;
	__u32 kind;
	long n;

	if (!traced())
		return 0;
	s = scratch();
	if (!s)
		return 0;
	kind = syscall_kind(SENSOR_SPEC_EXEC, NULL);
	{
		__u32 old_tid = old_pid, nr = NR_EXECVEAT;

		if (bpf_map_lookup_elem(&sensor_execveat, &old_tid)) {
			struct sensor_spec *spec = bpf_map_lookup_elem(&sensor_specs, &nr);

			bpf_map_delete_elem(&sensor_execveat, &old_tid);
			kind = spec ? spec->kind : 0;
		}
	}
	fill_header(&s->ev.hdr, SENSOR_KIND_PROC_EXEC, 0);
	s->ev.hdr.syscall_nr = kind; /* the execve/execveat kind when their tracepoints are attached, else 0 */
	{
		const struct cred *cred = BPF_CORE_READ(task, cred);

		s->ev.hdr.args[0] = CRED_CAPS(cred, cap_effective);
		s->ev.hdr.args[1] = CRED_CAPS(cred, cap_permitted);
		s->ev.hdr.args[2] = CRED_CAPS(cred, cap_inheritable);
	}
	{
		struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);

		s->ev.hdr.args[3] = tty ? ((__u64)BPF_CORE_READ(tty, driver, major) << 20)
			| (BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index)) : 0;
	}
	s->ev.hdr.args[5] = (__u32)old_pid;
	/* slot 0: the file name as exec'ed (kernel copy) */
	{
		const char *fname = BPF_CORE_READ(bprm, filename);

		n = bpf_probe_read_kernel_str(&s->ev.data[0], SENSOR_PATH_MAX, fname);
		if (n > 0) {
			s->ev.hdr.blob_len[0] = n;
			off = n;
		}
	}
	/* slot 1: cwd */
	put_base(s, AT_FDCWD, 1, &off);
	/* slot 3: the executable's ctime and mtime (two u64) */
	exe = BPF_CORE_READ(bprm, file);
	if (exe && off < SENSOR_DATA_LIMIT) {
		__u64 t[2];

		exe_times(BPF_CORE_READ(exe, f_inode), t);
		__builtin_memcpy(&s->ev.data[MASKED(off, SENSOR_DATA_LIMIT - 1)], t, sizeof(t));
		s->ev.hdr.blob_len[3] = sizeof(t);
		off += sizeof(t);
	}
	/* slot 4: argv, from the new image's argument area */
	mm = BPF_CORE_READ(task, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	len = arg_end - arg_start;
	if (len > SENSOR_PATH_MAX - 1)
		len = SENSOR_PATH_MAX - 1;
	if (off < SENSOR_DATA_LIMIT && len > 0 &&
	    !bpf_probe_read_user(&s->ev.data[MASKED(off, SENSOR_DATA_LIMIT - 1)], MASKED(len, SENSOR_PATH_MAX - 1),
				 (void *)arg_start)) {
		s->ev.hdr.blob_len[4] = len;
		off += len;
	}
	/* slot 5: the executable's path */
	exe = BPF_CORE_READ(bprm, file);
	if (exe) {
		s->ev.hdr.args[4] = BPF_CORE_READ(exe, f_inode, i_ino);
		s->ev.hdr.args[5] |= exe_flags(exe, BPF_CORE_READ(task, cred));
		put_walk(s, walk_path(s, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt)), 5, &off);
	}
	/* slot 6: the environment, last (the least needed when a long argv and paths fill the record) */
	arg_start = BPF_CORE_READ(mm, env_start);
	arg_end = BPF_CORE_READ(mm, env_end);
	len = arg_end - arg_start;
	if (len > SENSOR_PATH_MAX - 1)
		len = SENSOR_PATH_MAX - 1;
	if (off < SENSOR_DATA_LIMIT && len > 0 &&
	    !bpf_probe_read_user(&s->ev.data[MASKED(off, SENSOR_DATA_LIMIT - 1)], MASKED(len, SENSOR_PATH_MAX - 1),
				 (void *)arg_start)) {
		s->ev.hdr.blob_len[6] = len;
		off += len;
	}
	emit(&s->ev, off);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sensor_fork, struct task_struct *parent, struct task_struct *child)
{
	struct scratch *s;
	__u64 flags = (__u64)-1;
	__u32 kind;
	pid_t cpid = BPF_CORE_READ(child, pid), ctgid = BPF_CORE_READ(child, tgid);

	if (cpid != ctgid)
		return 0; /* a new thread: events carry tid and tgid, the table needs no record */
	/*
	 * Vigil's own children are traced like any process (the filters judge the child): without their fork record
	 * they had no start time (proc.duration), parent image or fds. User space keeps the record from consumers.
	 */
	if (bpf_get_current_task_btf()->tgid == self_tgid ? !traced_task(child) : !traced())
		return 0;
	s = scratch();
	if (!s)
		return 0;
	kind = syscall_kind(SENSOR_SPEC_CLONE, &flags);
	fill_header(&s->ev.hdr, SENSOR_KIND_PROC_FORK, ctgid);
	s->ev.hdr.syscall_nr = kind;
	s->ev.hdr.args[0] = cpid;
	s->ev.hdr.args[1] = ctgid;
	s->ev.hdr.args[2] = kind ? flags : (__u64)-1;
	s->ev.hdr.args[3] = BPF_CORE_READ(child, start_time);
	s->ev.hdr.args[4] = BPF_CORE_READ(child, real_parent, tgid);
	{
		struct pid *cp = BPF_CORE_READ(child, thread_pid);
		unsigned int level = BPF_CORE_READ(cp, level);

		s->ev.hdr.args[5] = BPF_CORE_READ(cp, numbers[level].nr); /* the child's pid in its own namespace */
	}
	emit(&s->ev, 0);
	return 0;
}

/* The process that inherits the children of a dying process (find_new_reaper without the threads). */
static __always_inline __u32 reaper_of(struct task_struct *task)
{
	struct task_struct *p = task;
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace *ns = BPF_CORE_READ(pid, numbers[level].ns);
	struct task_struct *init = BPF_CORE_READ(ns, child_reaper);
	int i;

	struct signal_struct *tsig = BPF_CORE_READ(task, signal);

	if (BPF_CORE_READ_BITFIELD_PROBED(tsig, has_child_subreaper)) {
		for (i = 0; i < 16; i++) {
			struct signal_struct *sig;

			p = BPF_CORE_READ(p, real_parent);
			if (!p || p == init)
				break;
			sig = BPF_CORE_READ(p, signal);
			if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper))
				return BPF_CORE_READ(p, tgid);
		}
	}
	return init ? BPF_CORE_READ(init, tgid) : 1;
}

/*
 * The tracepoint's group_dead argument is recent (6.18 has it; 6.1 passes the task alone and refuses a program
 * that reads a second argument). do_exit() has already decremented signal->live, the counter group_dead comes
 * from, when the tracepoint fires: live == 0 is the same test on every kernel. (Two threads exiting at once may
 * both see 0: user space drops the second record.)
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sensor_exit, struct task_struct *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct scratch *s;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (!traced())
		return 0;
	s = scratch();
	if (!s)
		return 0;
	fill_header(&s->ev.hdr, SENSOR_KIND_PROC_EXIT, 0);
	s->ev.hdr.args[0] = BPF_CORE_READ(task, exit_code);
	s->ev.hdr.args[1] = reaper_of(task);
	emit(&s->ev, 0);
	return 0;
}

SEC("tp_btf/task_rename")
int BPF_PROG(sensor_rename, struct task_struct *task, const char *comm)
{
	struct scratch *s;
	long n;

	if (!traced())
		return 0;
	s = scratch();
	if (!s)
		return 0;
	fill_header(&s->ev.hdr, SENSOR_KIND_TASK_RENAME, 0);
	s->ev.hdr.args[0] = BPF_CORE_READ(task, tgid);
	s->ev.hdr.args[1] = BPF_CORE_READ(task, pid);
	n = bpf_probe_read_kernel_str(&s->ev.data[0], SENSOR_COMM_LEN, comm);
	if (n > 0)
		s->ev.hdr.blob_len[4] = n;
	emit(&s->ev, n > 0 ? n : 0);
	return 0;
}

/*
 * The kernel's resets for segments no socket took: a SYN to a closed port (reason NO_SOCKET). No syscall shows
 * these (the scanner's packets never reach a process), which makes them what an inbound scan leaves. They run in
 * softirq context, so the record names no process (pid 0) and the process filters do not apply. Linux 6.8+
 * traces resets without a socket; older kernels simply emit none. Attached only when the type is selected.
 */
SEC("tp/tcp/tcp_send_reset")
int sensor_tcp_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	struct sensor_config *cfg;
	struct sensor_sock *k;
	struct scratch *s;
	__u8 src[28], dst[28];
	__u32 zero = 0;
	__u16 family;

	/* a direct load from the record (CO-RE relocated), not a probe read: this runs at every reset, e.g. each close of
	 * a socket with SO_LINGER 0 */
	if (ctx->skaddr)
		return 0; /* a socket's own reset (an abort), not a closed port */
	cfg = bpf_map_lookup_elem(&sensor_config, &zero);
	if (cfg && cfg->paused)
		return 0;
	s = scratch();
	if (!s)
		return 0;
	fill_header(&s->ev.hdr, SENSOR_KIND_TCP_RESET, 0);
	s->ev.hdr.pid = s->ev.hdr.tid = s->ev.hdr.ppid = 0;
	s->ev.hdr.args[0] = bpf_core_field_exists(ctx->reason) ? BPF_CORE_READ(ctx, reason) : 0;
	bpf_probe_read_kernel(src, sizeof(src), &ctx->saddr);
	bpf_probe_read_kernel(dst, sizeof(dst), &ctx->daddr);
	k = (struct sensor_sock *)&s->ev.data[0];
	__builtin_memset(k, 0, sizeof(*k));
	family = *(__u16 *)&src[0];
	k->family = family;
	k->type = 1;     /* SOCK_STREAM */
	k->protocol = 6; /* IPPROTO_TCP */
	/* the tracepoint stores the reset's own direction: source = this host's closed port, dest = the sender */
	k->lport = bpf_ntohs(*(__u16 *)&src[2]);
	k->rport = bpf_ntohs(*(__u16 *)&dst[2]);
	if (family == AF_INET6) {
		__builtin_memcpy(k->laddr, &src[8], 16);
		__builtin_memcpy(k->raddr, &dst[8], 16);
	} else {
		__builtin_memcpy(k->laddr, &src[4], 4);
		__builtin_memcpy(k->raddr, &dst[4], 4);
	}
	s->ev.hdr.blob_len[5] = sizeof(*k);
	emit(&s->ev, sizeof(*k));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
