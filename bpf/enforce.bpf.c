// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process enforcement (EnforcementPolicy), on the best hook each kernel allows. User space loads only the
 * programs this kernel can run (the feature probe decides):
 *   exec:    lsm/bprm_check_security (EPERM) where BPF LSM works; else SIGKILL before the new image runs, at
 *            tp_btf/sched_prepare_exec where the kernel has it, else tp_btf/sched_process_exec;
 *   open:    lsm/file_open (EPERM); else SIGKILL at the exit of open/openat/openat2/creat (the call completes,
 *            the process never returns to user space);
 *   connect, bind: cgroup/connect4|6, cgroup/bind4|6 (EPERM on every kernel);
 *   tamper:  signal:signal_generate and sys_enter_ptrace aimed at the agent.
 * Tables and the matching model: vigil/enforce.h. Every decision is a record on enforce_events.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/enforce.h"

#define EPERM 1
#define AF_INET 2
#define AF_INET6 10
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define SIGKILL 9
#define PTRACE_ATTACH 16
#define PTRACE_SEIZE 0x4206

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define WALK_MAX_DEPTH 32
#define WALK_END 511
#define MASKED(v, m) ({ __u64 __v = (v); asm volatile("" : "+r"(__v)); __v & (m); })

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct enf_path_key);
	__type(value, __u64);
} enf_exec_prefix SEC(".maps"), enf_exec_postfix SEC(".maps"), enf_open_prefix SEC(".maps"),
  enf_open_postfix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct enf_net4_key);
	__type(value, __u64);
} enf_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct enf_net6_key);
	__type(value, __u64);
} enf_net6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct enf_port_key);
	__type(value, __u64);
} enf_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ENF_HOOK_COUNT * ENF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct enf_rule);
} enf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ENF_HOOK_COUNT);
	__type(key, __u32);
	__type(value, struct enf_hook_cfg);
} enf_hooks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enf_config);
} enf_config SEC(".maps");

/* mount namespace inode of a selected container -> the policies (bits) that select it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} enf_mntns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} enforce_events SEC(".maps");

/*
 * The last tamper report, also kept here: the map is pinned, so an agent that was SIGKILLed (its ring unread) is told
 * at its next start who killed it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_event);
} enf_tamper_last SEC(".maps");

/* [0] decisions emitted, [1] decisions lost (ring full), [2] paths too long to match */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} enf_counters SEC(".maps");

struct enf_scratch {
	char walk[WALK_END + 1];
	int walk_pos;
	struct enf_path_key key;
	struct enf_path_key rkey;
	__u64 hits;
	struct enforce_event layout; /* unused: puts the record's type in the object's BTF for the Java layout check */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enf_scratch);
} enf_scratch SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *c = bpf_map_lookup_elem(&enf_counters, &i);

	if (c)
		*c += 1;
}

static __always_inline struct enf_config *enf_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&enf_config, &zero);
}

static __always_inline __u64 mntns_of(struct task_struct *task)
{
	return BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
}

/* The policies whose scope holds a process in mount namespace mntns. */
static __always_inline __u64 scope_of(struct enf_config *cfg, __u64 mntns)
{
	__u64 *m = bpf_map_lookup_elem(&enf_mntns, &mntns);
	__u64 mask = m ? *m : 0;

	if (mntns == cfg->host_mntns)
		mask |= cfg->host_policies;
	return mask;
}

/*
 * The index in enf_rules of the first rule of the hook whose terms all hold and whose policy's scope holds, or -1.
 * A global function: the verifier checks it once, not at every call site (the loops would multiply otherwise).
 */
__noinline int enf_decide(__u32 hook, __u64 hits, __u64 scope, __u32 access)
{
	struct enf_hook_cfg *hc;
	__u32 h = hook;
	__u64 holds;
	int i;

	if (h >= ENF_HOOK_COUNT)
		return -1;
	hc = bpf_map_lookup_elem(&enf_hooks, &h);
	if (!hc || !hc->nrules || !scope)
		return -1;
	holds = hits ^ hc->neg_terms;
	for (i = 0; i < ENF_MAX_RULES; i++) {
		__u32 idx = h * ENF_MAX_RULES + i;
		struct enf_rule *r;

		if (i >= hc->nrules)
			break;
		r = bpf_map_lookup_elem(&enf_rules, &idx);
		if (!r)
			break;
		if ((holds & r->terms) != r->terms || !((scope >> (r->policy & 63)) & 1))
			continue;
		if (access && !(r->access & access))
			continue;
		return idx;
	}
	return -1;
}

static __always_inline struct enf_rule *decide(__u32 hook, __u64 hits, __u64 scope, __u8 access)
{
	int idx = enf_decide(hook, hits, scope, access);
	__u32 k;

	if (idx < 0)
		return NULL;
	k = idx;
	return bpf_map_lookup_elem(&enf_rules, &k);
}

static __always_inline struct enforce_event *new_event(struct task_struct *task, __u32 hook, struct enf_rule *r,
						       __u8 outcome, __u64 mntns)
{
	struct enforce_event *e = bpf_ringbuf_reserve(&enforce_events, sizeof(*e), 0);
	__u64 id = bpf_get_current_pid_tgid();

	if (!e) {
		count(1);
		return NULL;
	}
	e->ts = bpf_ktime_get_ns();
	e->mntns = mntns;
	e->cgroup = bpf_get_current_cgroup_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->rule_id = r ? r->id : 0;
	e->target = 0;
	e->hook = hook;
	e->outcome = outcome;
	e->action = r ? r->action : 0;
	e->port = 0;
	e->family = 0;
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	e->path_len = 0;
	e->path[0] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void submit(struct enforce_event *e)
{
	count(0);
	bpf_ringbuf_submit(e, 0); /* decisions are rare and a response waits on them: wake the reader */
}

/*
 * What to do for a path-hook (exec, open) rule: the outcome, and the signal to send (0: none). Deny where the
 * hook can deny (LSM); elsewhere Deny runs as its fallback, a SIGKILL (user space refuses a Deny rule without
 * fallback on such a kernel).
 */
static __always_inline __u8 outcome_of(struct enf_rule *r, bool can_deny, __u32 *sig)
{
	*sig = 0;
	if (r->monitor)
		return ENF_OUT_MONITORED;
	switch (r->action) {
	case ENF_ACT_DENY:
		if (can_deny)
			return ENF_OUT_DENIED;
		*sig = SIGKILL;
		return ENF_OUT_KILLED;
	case ENF_ACT_SIGKILL:
		*sig = SIGKILL;
		return ENF_OUT_KILLED;
	case ENF_ACT_SIGNAL:
		*sig = r->signal;
		return ENF_OUT_SIGNALLED;
	default:
		return ENF_OUT_POSTED;
	}
}

/*
 * The absolute path of (dentry, vfsmount), as d_path() gives it up to the task's root, into key->path with
 * its NUL; returns its length, or -1 when it does not fit (255 characters) or cannot be read.
 */
__noinline int enf_path_of(__u64 dentry_addr, __u64 vfsmnt_addr)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dentry *dentry = (struct dentry *)dentry_addr;
	struct vfsmount *vfsmnt = (struct vfsmount *)vfsmnt_addr;
	__u32 zero = 0;
	struct enf_scratch *s = bpf_map_lookup_elem(&enf_scratch, &zero);
	struct dentry *fs_root = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *fs_root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	struct mount *mnt;
	int i, len;

	if (!s || !dentry || !vfsmnt)
		return -1;
	mnt = (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	s->walk_pos = WALK_END;
	for (i = 0; i < WALK_MAX_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		struct qstr name;
		__u32 n;
		int pos;

		if (dentry == fs_root && vfsmnt == fs_root_mnt)
			break;
		if (dentry == root) {
			struct mount *mparent = BPF_CORE_READ(mnt, mnt_parent);

			if (mparent == mnt || !mparent)
				break;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mparent;
			vfsmnt = (struct vfsmount *)((void *)mnt + bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		if (bpf_probe_read_kernel(&name, sizeof(name), &dentry->d_name))
			return -1;
		n = name.len & 255;
		pos = s->walk_pos;
		if (pos - (int)n - 1 < 0)
			return -1;
		pos -= n;
		bpf_probe_read_kernel(&s->walk[MASKED(pos, WALK_END)], n, name.name);
		pos -= 1;
		s->walk[MASKED(pos, WALK_END)] = '/';
		s->walk_pos = pos;
		if (dentry == parent)
			break; /* a pseudo file (memfd): its own root, "/NAME" */
		dentry = parent;
	}
	if (i == WALK_MAX_DEPTH)
		return -1;
	if (s->walk_pos == WALK_END) {
		s->walk[WALK_END - 1] = '/';
		s->walk_pos = WALK_END - 1;
	}
	len = WALK_END - s->walk_pos;
	if (len <= 0 || len >= ENF_PATH_LEN)
		return -1;
	bpf_probe_read_kernel(s->key.path, len & (ENF_PATH_LEN - 1), &s->walk[MASKED(s->walk_pos, WALK_END)]);
	s->key.path[len & (ENF_PATH_LEN - 1)] = 0;
	return len;
}

/* The terms that hold for the path in the scratch key (filled by enf_path_of), for the hook's tries. */
__noinline int enf_path_hits(__u32 hook, int len, __u32 reverse)
{
	__u32 zero = 0;
	struct enf_scratch *s = bpf_map_lookup_elem(&enf_scratch, &zero);
	void *prefix = hook == ENF_HOOK_EXEC ? (void *)&enf_exec_prefix : (void *)&enf_open_prefix;
	void *postfix = hook == ENF_HOOK_EXEC ? (void *)&enf_exec_postfix : (void *)&enf_open_postfix;
	__u64 *v;
	int i;

	if (!s || len < 0 || len >= ENF_PATH_LEN)
		return -1;
	s->hits = 0;
	s->key.prefixlen = (len + 1) * 8; /* with the NUL: In entries match exactly, Prefix entries as prefixes */
	v = bpf_map_lookup_elem(prefix, &s->key);
	if (v)
		s->hits |= *v;
	if (!reverse)
		return 0;
	for (i = 0; i < ENF_PATH_LEN - 1; i++) {
		if (i >= len)
			break;
		s->rkey.path[i & (ENF_PATH_LEN - 1)] = s->key.path[(len - 1 - i) & (ENF_PATH_LEN - 1)];
	}
	s->rkey.prefixlen = len * 8;
	v = bpf_map_lookup_elem(postfix, &s->rkey);
	if (v)
		s->hits |= *v;
	return 0;
}

static __always_inline struct enf_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&enf_scratch, &zero);
}

/*
 * Whether the file is in an overlay upper layer: on an overlayfs with an upper dentry (written in the container, or
 * copied up by a write), as opposed to the image's lower layers.
 */
static __always_inline bool in_upper_layer(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct ovl_inode *oi;

	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return false;
	oi = (struct ovl_inode *)((void *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode));
	return BPF_CORE_READ(oi, __upperdentry) != NULL;
}

/*
 * One decision for a file (the new executable, or an opened file) at a path hook: returns the outcome and sets
 * *sig, or returns -1 when no rule applies.
 */
static __always_inline int decide_file(__u32 hook, struct file *file, __u8 access, bool can_deny, __u32 *sig)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct enf_config *cfg = enf_cfg();
	struct enf_hook_cfg *hc;
	struct enf_scratch *s;
	struct enf_rule *r;
	struct enforce_event *e;
	__u64 mntns, scope, hits = 0;
	int len;
	__u8 out;

	if (!cfg)
		return -1;
	hc = bpf_map_lookup_elem(&enf_hooks, &hook);
	if (!hc || !hc->nrules)
		return -1;
	if (access && !(hc->access & access))
		return -1; /* e.g. a read when every open rule is about writes: no path walk */
	mntns = mntns_of(task);
	scope = scope_of(cfg, mntns);
	if (!scope)
		return -1;
	s = scratch();
	if (!s || !file)
		return -1;
	len = enf_path_of((__u64)BPF_CORE_READ(file, f_path.dentry), (__u64)BPF_CORE_READ(file, f_path.mnt));
	if (len < 0) {
		count(2);
		len = 0; /* not matchable by path: only the negated and path-less terms can hold */
		s->key.path[0] = 0;
	} else if (enf_path_hits(hook, len, hc->postfix) == 0) {
		hits = s->hits;
	}
	if (hc->upper_terms && in_upper_layer(file))
		hits |= hc->upper_terms;
	r = decide(hook, hits, scope, access);
	if (!r)
		return -1;
	out = outcome_of(r, can_deny, sig);
	e = new_event(task, hook, r, out, mntns);
	if (e) {
		e->path_len = len;
		bpf_probe_read_kernel(e->path, len & (ENF_PATH_LEN - 1), s->key.path);
		e->path[len & (ENF_PATH_LEN - 1)] = 0;
		submit(e);
	}
	return out;
}

static __always_inline int kill_at_exec(struct linux_binprm *bprm)
{
	__u32 sig;

	if (decide_file(ENF_HOOK_EXEC, BPF_CORE_READ(bprm, file), 0, false, &sig) >= 0 && sig)
		bpf_send_signal(sig);
	return 0;
}

/* After the point of no return, the binary resolved: a SIGKILL here kills before the new image runs. */
SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(enf_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	return kill_at_exec(bprm);
}

/* Kernels without sched_prepare_exec: the new credentials are applied, the new image has not run. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(enf_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return kill_at_exec(bprm);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(enf_lsm_bprm, struct linux_binprm *bprm, int ret)
{
	__u32 sig;
	int out;

	if (ret)
		return ret;
	out = decide_file(ENF_HOOK_EXEC, BPF_CORE_READ(bprm, file), 0, true, &sig);
	if (out < 0)
		return 0;
	if (sig)
		bpf_send_signal(sig);
	return out == ENF_OUT_DENIED || sig == SIGKILL ? -EPERM : 0;
}

static __always_inline __u8 access_of(struct file *f)
{
	__u32 mode = BPF_CORE_READ(f, f_mode);

	return (mode & FMODE_WRITE ? 2 : 0) | (mode & FMODE_READ ? 1 : 0);
}

SEC("lsm/file_open")
int BPF_PROG(enf_lsm_open, struct file *file, int ret)
{
	__u32 sig;
	int out;

	if (ret)
		return ret;
	out = decide_file(ENF_HOOK_OPEN, file, access_of(file), true, &sig);
	if (out < 0)
		return 0;
	if (sig)
		bpf_send_signal(sig);
	return out == ENF_OUT_DENIED || sig == SIGKILL ? -EPERM : 0;
}

static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned long)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The open succeeded (the file is open, O_TRUNC applied): a SIGKILL now stops the process before it returns. */
static __always_inline int kill_at_open(long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f;
	__u32 sig;

	if (ret < 0)
		return 0;
	f = fd_file(task, ret);
	if (!f)
		return 0;
	if (decide_file(ENF_HOOK_OPEN, f, access_of(f), false, &sig) >= 0 && sig)
		bpf_send_signal(sig);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int enf_exit_openat(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_open")
int enf_exit_open(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_openat2")
int enf_exit_openat2(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_creat")
int enf_exit_creat(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret); }

/* The context's IPv6 words must be loaded one by one, at their own offsets. */
static __always_inline void read_ip6(struct bpf_sock_addr *ctx, __u32 *ip6)
{
	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
}

/* connect/bind: 1 allows, 0 fails the call with EPERM. */
static __always_inline int decide_sock(__u32 hook, struct bpf_sock_addr *ctx, bool v6)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct enf_config *cfg = enf_cfg();
	struct enf_port_key pk = {.hook = hook};
	struct enforce_event *e;
	struct enf_rule *r;
	__u64 mntns, scope, hits = 0, *v;
	__u32 ip6[4] = {};
	__u8 out;

	if (!cfg)
		return 1;
	mntns = mntns_of(task);
	scope = scope_of(cfg, mntns);
	if (!scope)
		return 1;
	if (v6) {
		struct enf_net6_key k = {.prefixlen = 32 + 128, .hook = hook};

		read_ip6(ctx, ip6);
		__builtin_memcpy(k.addr, ip6, 16);
		v = bpf_map_lookup_elem(&enf_net6, &k);
	} else {
		struct enf_net4_key k = {.prefixlen = 32 + 32, .hook = hook};
		__u32 ip = ctx->user_ip4;

		__builtin_memcpy(k.addr, &ip, 4);
		v = bpf_map_lookup_elem(&enf_net4, &k);
	}
	if (v)
		hits |= *v;
	pk.port = bpf_ntohs(ctx->user_port);
	v = bpf_map_lookup_elem(&enf_ports, &pk);
	if (v)
		hits |= *v;
	r = decide(hook, hits, scope, 0);
	if (!r)
		return 1;
	out = r->monitor ? ENF_OUT_MONITORED : r->action == ENF_ACT_DENY ? ENF_OUT_DENIED : ENF_OUT_POSTED;
	e = new_event(task, hook, r, out, mntns);
	if (e) {
		e->port = pk.port;
		e->family = v6 ? AF_INET6 : AF_INET;
		if (v6)
			__builtin_memcpy(e->addr, ip6, 16);
		else {
			__u32 ip = ctx->user_ip4;

			__builtin_memcpy(e->addr, &ip, 4);
		}
		submit(e);
	}
	return out == ENF_OUT_DENIED ? 0 : 1;
}

SEC("cgroup/connect4")
int enf_connect4(struct bpf_sock_addr *ctx) { return decide_sock(ENF_HOOK_CONNECT, ctx, false); }

SEC("cgroup/connect6")
int enf_connect6(struct bpf_sock_addr *ctx) { return decide_sock(ENF_HOOK_CONNECT, ctx, true); }

SEC("cgroup/bind4")
int enf_bind4(struct bpf_sock_addr *ctx) { return decide_sock(ENF_HOOK_BIND, ctx, false); }

SEC("cgroup/bind6")
int enf_bind6(struct bpf_sock_addr *ctx) { return decide_sock(ENF_HOOK_BIND, ctx, true); }

/* --- tamper: signals and ptrace aimed at the agent, reported by the kernel even while the agent is stopped --- */

static __always_inline void tamper(__u32 what, __u32 target)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct enforce_event *e = new_event(task, 0, NULL, ENF_OUT_TAMPER, mntns_of(task));
	__u32 zero = 0;
	struct enforce_event *last = bpf_map_lookup_elem(&enf_tamper_last, &zero);
	__u64 id = bpf_get_current_pid_tgid();

	if (last) {
		last->ts = bpf_ktime_get_ns();
		last->mntns = mntns_of(task);
		last->cgroup = bpf_get_current_cgroup_id();
		last->pid = (__u32)id;
		last->tgid = id >> 32;
		last->ppid = BPF_CORE_READ(task, real_parent, tgid);
		last->uid = (__u32)bpf_get_current_uid_gid();
		last->rule_id = what;
		last->target = target;
		last->outcome = ENF_OUT_TAMPER;
		bpf_get_current_comm(last->comm, sizeof(last->comm));
	}
	if (!e)
		return;
	e->rule_id = what;
	e->target = target;
	submit(e);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(enf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *t, int group, int result)
{
	struct enf_config *cfg = enf_cfg();
	__u32 target;

	if (!cfg || !cfg->tamper)
		return 0;
	target = BPF_CORE_READ(t, tgid);
	if (target != cfg->agent_tgid || (bpf_get_current_pid_tgid() >> 32) == target)
		return 0;
	/* SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGSTOP, SIGTSTP: the ones that stop or end the agent */
	if (sig == 9 || sig == 15 || sig == 2 || sig == 3 || sig == 19 || sig == 20)
		tamper(sig, target);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int enf_enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	struct enf_config *cfg = enf_cfg();
	long req = ctx->args[0];
	__u32 pid = ctx->args[1];

	if (!cfg || !cfg->tamper || pid != cfg->agent_tgid)
		return 0;
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
		tamper(0, pid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
