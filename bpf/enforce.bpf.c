// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process enforcement (EnforcementPolicy), on the best hook each kernel allows. User space loads only the
 * programs this kernel can run (the feature probe decides):
 *   exec:    lsm/bprm_check_security (EPERM) where BPF LSM works; else SIGKILL before the new image runs, at
 *            tp_btf/sched_prepare_exec where the kernel has it, else tp_btf/sched_process_exec;
 *   open:    lsm/file_open (EPERM); else SIGKILL at the exit of open/openat/openat2/creat (the call completes,
 *            the process never returns to user space);
 *   connect, bind: cgroup/connect4|6, cgroup/bind4|6 (EPERM on every kernel);
 *   ptrace:  lsm/ptrace_access_check (EPERM); else SIGKILL at sys_enter_ptrace (the attach completes, the tracer
 *            never returns to user space and its exit detaches it);
 *   setuid:  lsm/task_fix_setuid (EPERM); else SIGKILL at sys_enter_setuid/setreuid/setresuid/setfsuid;
 *   bpf:     lsm/bpf (EPERM for BPF_PROG_LOAD by anyone but the agent); else SIGKILL at sys_enter_bpf;
 *   module:  lsm/kernel_read_file and lsm/kernel_load_data only (at the syscall, a kill comes after the module ran);
 *   spec.matchBinaries with followChildren: tp_btf/sched_process_fork passes a parent's answer to its child;
 *   tamper:  signal:signal_generate and sys_enter_ptrace aimed at the agent; with LSM, ptrace_access_check and
 *            task_kill also deny them (self-protection);
 *   guard:   Vigil's own maps, links and programs (enf_own) and pin folders (enf_pin_dirs): lsm/bpf refuses other
 *            processes' writes and detaches, lsm/inode_unlink and inode_rename the removal of pins (self-protection,
 *            until the agent exits or the unlock map is written); without LSM sys_enter_bpf reports them;
 *            sched_process_exit ends the guard when the agent's last thread exits; without LSM sys_enter_unlink*,
 *            rename* report the removal of pins (enf_pin_call).
 * User space attaches only the programs the loaded rules need (and detaches the rest on reload).
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
  enf_open_postfix SEC(".maps"), enf_bin_prefix SEC(".maps"), enf_bin_postfix SEC(".maps");

/* tgid -> its spec.matchBinaries answer (vigil/enforce.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct enf_proc);
} enf_procs SEC(".maps");

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

/*
 * The first address bytes some CIDR entry of enf_net4 / enf_net6 can match, per hook and family (ENF_NET_FIRST):
 * a connect to an address no entry can match costs no trie lookup (a helper call: ~20 ns here, where every return
 * pays the SRSO "safe RET" mitigation).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ENF_NET_FIRST_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} enf_net_first SEC(".maps");

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

/*
 * Vigil's own BPF objects, (enum enf_obj_kind << 32) | id -> ENF_OWN (ENF_OWN_UNLOCK: the unlock map), written by the
 * agent after load and at each attach: writes, detaches and program swaps of these by another process are reported,
 * and refused under self-protection (LSM).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u32);
} enf_own SEC(".maps");

/* inode numbers of Vigil's pin folders (bpffs): removing or renaming a pin in them is reported, refused under self-protection */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u32);
} enf_pin_dirs SEC(".maps");

/*
 * The same folders by path, for kernels without LSM (sys_enter_unlink*, rename*): the folder's real path with a
 * trailing '/', as an LPM key without NUL -> its length in bytes. An absolute path whose last '/' ends such a prefix
 * names a pin in the folder.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct enf_path_key);
	__type(value, __u64);
} enf_pin_paths SEC(".maps");

/*
 * The first 8 bytes every path in enf_pin_paths starts with (on: 1 when they share them): an absolute path that starts
 * otherwise is not read further.
 */
struct enf_pin_head {
	__u64 bytes;
	__u64 on;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enf_pin_head);
} enf_pin_head SEC(".maps");

/*
 * [0] != 0: self-protection lifted. Pinned (as "unlock"); any root process may write it and the write is reported:
 * vigil policy remove sets it so that an operator can always take the state away, even from a running agent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} enf_unlock SEC(".maps");

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
	__u64 own;              /* enf_binary_own's answer */
	__u64 mask;             /* enf_binary_scope's answer */
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

/*
 * The current task's mount namespace by direct (BTF) loads: on the hot paths, one helper call instead of three probe
 * reads (a fault, e.g. an exiting task without nsproxy, reads 0).
 */
static __always_inline __u64 cur_mntns(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->nsproxy->mnt_ns->ns.inum;
}

/* The policies whose scope holds a process in mount namespace mntns. */
static __always_inline __u64 scope_of(struct enf_config *cfg, __u64 mntns)
{
	__u64 *m;

	if (mntns == cfg->host_mntns)
		return cfg->host_policies; /* no container runs in the host's mount namespace: no lookup for host processes */
	m = bpf_map_lookup_elem(&enf_mntns, &mntns);
	return m ? *m : 0;
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

/* (the task is read here, not by the callers: a helper call on every hook run for a record that is rare) */
static __always_inline struct enforce_event *new_event(__u32 hook, struct enf_rule *r, __u8 outcome, __u64 mntns)
{
	struct enforce_event *e = bpf_ringbuf_reserve(&enforce_events, sizeof(*e), 0);
	struct task_struct *task;
	__u64 id;

	if (!e) {
		count(1);
		return NULL;
	}
	task = (struct task_struct *)bpf_get_current_task();
	id = bpf_get_current_pid_tgid();
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
	void *prefix = hook == ENF_HOOK_EXEC ? (void *)&enf_exec_prefix
		     : hook == ENF_HOOK_OPEN ? (void *)&enf_open_prefix : (void *)&enf_bin_prefix;
	void *postfix = hook == ENF_HOOK_EXEC ? (void *)&enf_exec_postfix
		      : hook == ENF_HOOK_OPEN ? (void *)&enf_open_postfix : (void *)&enf_bin_postfix;
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

/* The policies whose spec.matchBinaries hold for a task's binary, into scratch->own. */
__noinline int enf_binary_own(__u64 task_addr)
{
	struct task_struct *task = (struct task_struct *)task_addr;
	struct enf_scratch *s = scratch();
	__u32 h = ENF_HOOK_BINARY;
	struct enf_hook_cfg *hc;
	struct file *exe;
	__u64 holds, own = 0;
	int i, len;

	if (!s)
		return -1;
	s->own = 0;
	hc = bpf_map_lookup_elem(&enf_hooks, &h);
	exe = BPF_CORE_READ(task, mm, exe_file);
	if (!hc || !hc->nrules || !exe)
		return 0; /* kernel threads have no binary: no matchBinaries holds */
	s->hits = 0;
	len = enf_path_of((__u64)BPF_CORE_READ(exe, f_path.dentry), (__u64)BPF_CORE_READ(exe, f_path.mnt));
	if (len < 0)
		count(2);
	else
		enf_path_hits(ENF_HOOK_BINARY, len, hc->postfix);
	holds = s->hits ^ hc->neg_terms;
	for (i = 0; i < ENF_MAX_RULES; i++) {
		__u32 idx = ENF_HOOK_BINARY * ENF_MAX_RULES + i;
		struct enf_rule *r;

		if (i >= hc->nrules)
			break;
		r = bpf_map_lookup_elem(&enf_rules, &idx);
		if (!r)
			break;
		if ((holds & r->terms) == r->terms)
			own |= 1ULL << (r->policy & 63);
	}
	s->own = own;
	return 0;
}

/*
 * The policies whose spec.matchBinaries hold for a process, into scratch->mask: its own binary, or an ancestor's
 * for followChildren policies. Cached in enf_procs; a process not seen since the policies changed (or started before
 * them) walks its ancestors once; children forked later get their parent's answer at fork (enf_process_fork), so
 * a double fork that reparents a child to init does not shed the policy.
 */
__noinline int enf_binary_scope(__u64 task_addr)
{
	struct task_struct *task = (struct task_struct *)task_addr;
	struct enf_config *cfg = enf_cfg();
	struct enf_scratch *s = scratch();
	struct enf_proc *p, np = {};
	struct task_struct *anc;
	__u64 exe, own = 0, inherited = 0;
	__u32 tgid;
	int i;

	if (!cfg || !s)
		return -1;
	tgid = BPF_CORE_READ(task, tgid);
	exe = (__u64)BPF_CORE_READ(task, mm, exe_file);
	p = bpf_map_lookup_elem(&enf_procs, &tgid);
	if (p && p->generation == cfg->generation && p->exe == exe) {
		s->mask = p->own | p->inherited;
		return 0;
	}
	if (p && p->generation == cfg->generation)
		inherited = p->inherited; /* it ran exec: what its ancestors gave it stands */
	else if (cfg->follow_policies) {
		anc = BPF_CORE_READ(task, real_parent);
		for (i = 0; i < 16; i++) {
			struct enf_proc *ap;
			__u32 at;

			if (!anc)
				break;
			at = BPF_CORE_READ(anc, tgid);
			if (at <= 1 || at == tgid)
				break;
			ap = bpf_map_lookup_elem(&enf_procs, &at);
			if (ap && ap->generation == cfg->generation && ap->exe == (__u64)BPF_CORE_READ(anc, mm, exe_file)) {
				inherited |= (ap->own & cfg->follow_policies) | ap->inherited;
				break;
			}
			if (enf_binary_own((__u64)anc) == 0)
				inherited |= s->own & cfg->follow_policies;
			anc = BPF_CORE_READ(anc, real_parent);
		}
	}
	if (enf_binary_own(task_addr) == 0)
		own = s->own;
	np.exe = exe;
	np.own = own;
	np.inherited = inherited;
	np.generation = cfg->generation;
	bpf_map_update_elem(&enf_procs, &tgid, &np, BPF_ANY);
	s->mask = own | inherited;
	return 0;
}

/* The policies whose whole scope holds for the task: place (host, container) and spec.matchBinaries. */
static __always_inline __u64 scope_for(struct enf_config *cfg, __u64 mntns)
{
	__u64 scope = scope_of(cfg, mntns);
	struct enf_scratch *s;

	if (!(scope & cfg->bin_policies))
		return scope;
	s = scratch();
	if (!s || enf_binary_scope(bpf_get_current_task()) < 0)
		return scope & ~cfg->bin_policies;
	return scope & (~cfg->bin_policies | s->mask);
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
	mntns = cur_mntns();
	scope = scope_for(cfg, mntns);
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
	e = new_event(hook, r, out, mntns);
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

/* The current task's file at fd: direct (BTF) loads down to the fd array, one probe read for the slot. */
static __always_inline struct file *cur_fd_file(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	struct file *f = NULL;

	if (fd < 0 || (unsigned long)fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#define O_PATH_FLAG 010000000

/*
 * The access (1 read, 2 write) an open's flags ask for, as the kernel derives f_mode from them (OPEN_FMODE: the
 * access mode plus one; O_PATH opens neither). The syscall's arguments are still in the task's saved registers at its
 * exit: the early exit needs no read of the file.
 */
static __always_inline int access_of_flags(long flags)
{
	return flags & O_PATH_FLAG ? 0 : (int)((flags + 1) & 3);
}

/* x86-64: open(path, flags) has them in rsi, openat(dirfd, path, flags) in rdx */
static __always_inline long open_flags(bool at)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return at ? regs->dx : regs->si;
}

/*
 * The open succeeded (the file is open, O_TRUNC applied): a SIGKILL now stops the process before it returns.
 * acc: the access from the flags, or -1 to take it from the file (openat2's flags are in user memory).
 */
static __always_inline int kill_at_open(long ret, int acc)
{
	struct enf_config *cfg = enf_cfg();
	struct enf_hook_cfg *hc;
	__u32 hook = ENF_HOOK_OPEN;
	struct file *f;
	__u32 sig;

	if (ret < 0 || !cfg)
		return 0;
	hc = bpf_map_lookup_elem(&enf_hooks, &hook);
	if (!hc || !hc->nrules || (acc > 0 && !(hc->access & acc)))
		return 0; /* e.g. a read when every open rule is about writes: nothing read, not even the fd table */
	f = cur_fd_file(ret);
	if (!f)
		return 0;
	if (decide_file(ENF_HOOK_OPEN, f, acc < 0 ? access_of(f) : acc, false, &sig) >= 0 && sig)
		bpf_send_signal(sig);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int enf_exit_openat(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret, access_of_flags(open_flags(true))); }

SEC("tracepoint/syscalls/sys_exit_open")
int enf_exit_open(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret, access_of_flags(open_flags(false))); }

SEC("tracepoint/syscalls/sys_exit_openat2")
int enf_exit_openat2(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret, -1); }

/* creat is open(O_CREAT | O_WRONLY | O_TRUNC) */
SEC("tracepoint/syscalls/sys_exit_creat")
int enf_exit_creat(struct trace_event_raw_sys_exit *ctx) { return kill_at_open(ctx->ret, 2); }

/* The context's IPv6 words must be loaded one by one, at their own offsets. */
static __always_inline void read_ip6(struct bpf_sock_addr *ctx, __u32 *ip6)
{
	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
}

/* Whether some CIDR entry of the hook's family can match an address whose first byte is first. */
static __always_inline bool net_first_covered(__u32 hook, bool v6, __u8 first)
{
	__u32 k = ENF_NET_FIRST_SLOT(hook, v6, first), *c;

	if (k >= ENF_NET_FIRST_SLOTS)
		return true;
	c = bpf_map_lookup_elem(&enf_net_first, &k);
	return !c || *c;
}

/*
 * connect/bind: 1 allows, 0 fails the call with EPERM. The address and port terms come first, from tables only
 * (array lookups are inlined; the trie only when the address's first byte is covered): a call that no rule's terms
 * can match returns before any helper call, the task's namespace or the rules.
 */
static __always_inline int decide_sock(__u32 hook, struct bpf_sock_addr *ctx, bool v6)
{
	struct enf_config *cfg = enf_cfg();
	struct enf_port_key pk = {.hook = hook};
	struct enforce_event *e;
	struct enf_hook_cfg *hc;
	struct enf_rule *r;
	__u64 mntns, scope, hits = 0, *v = NULL;
	__u32 ip6[4] = {};
	__u32 ip = 0;
	__u8 out;

	if (!cfg)
		return 1;
	hc = bpf_map_lookup_elem(&enf_hooks, &hook);
	if (!hc || !hc->nrules)
		return 1; /* connect rules only: a bind costs two lookups */
	if (v6)
		read_ip6(ctx, ip6);
	else
		ip = ctx->user_ip4;
	if (!(hc->flags & ENF_HOOK_F_NET)) {
		/* no CIDR term for this hook: no trie walk */
	} else if (v6) {
		struct enf_net6_key k = {.prefixlen = 32 + 128, .hook = hook};

		if (net_first_covered(hook, true, ip6[0] & 0xff)) {
			__builtin_memcpy(k.addr, ip6, 16);
			v = bpf_map_lookup_elem(&enf_net6, &k);
		}
	} else {
		struct enf_net4_key k = {.prefixlen = 32 + 32, .hook = hook};

		if (net_first_covered(hook, false, ip & 0xff)) { /* network order: the first byte is the lowest */
			__builtin_memcpy(k.addr, &ip, 4);
			v = bpf_map_lookup_elem(&enf_net4, &k);
		}
	}
	if (v)
		hits |= *v;
	pk.port = bpf_ntohs(ctx->user_port);
	if (hc->flags & ENF_HOOK_F_PORTS) {
		v = bpf_map_lookup_elem(&enf_ports, &pk);
		if (v)
			hits |= *v;
	}
	if (!hits && !(hc->flags & ENF_HOOK_F_BLANK))
		return 1; /* every rule needs a term that did not hit */
	mntns = cur_mntns();
	scope = scope_for(cfg, mntns);
	if (!scope)
		return 1;
	r = decide(hook, hits, scope, 0);
	if (!r)
		return 1;
	out = r->monitor ? ENF_OUT_MONITORED : r->action == ENF_ACT_DENY ? ENF_OUT_DENIED : ENF_OUT_POSTED;
	e = new_event(hook, r, out, mntns);
	if (e) {
		e->port = pk.port;
		e->family = v6 ? AF_INET6 : AF_INET;
		if (v6)
			__builtin_memcpy(e->addr, ip6, 16);
		else
			__builtin_memcpy(e->addr, &ip, 4);
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

static __always_inline bool agent_alive(struct enf_config *cfg)
{
	return cfg->agent_tgid && !cfg->agent_gone;
}

/* Self-protection holds: asked for (and LSM), the agent runs, and no one lifted it through the unlock map. */
static __always_inline bool guarded(struct enf_config *cfg)
{
	__u32 zero = 0, *u;

	if (!cfg->protect || !agent_alive(cfg))
		return false;
	u = bpf_map_lookup_elem(&enf_unlock, &zero);
	return !u || !*u;
}

/* what: a signal or enum enf_tamper; denied: the kernel refused it; name: a kernel string for the path (0: none) */
static __always_inline void tamper(__u32 what, __u32 target, bool denied, const char *name)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct enforce_event *e;
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
		last->action = denied ? ENF_ACT_DENY : 0;
		last->path_len = 0;
		last->path[0] = 0;
		bpf_get_current_comm(last->comm, sizeof(last->comm));
	}
	/* reserved last, its null check right after: 6.1's verifier loses a ring buffer reference held across other code */
	e = new_event(0, NULL, ENF_OUT_TAMPER, mntns_of(task));
	if (!e)
		return;
	e->rule_id = what;
	e->target = target;
	e->action = denied ? ENF_ACT_DENY : 0;
	if (name) {
		int n = bpf_probe_read_kernel_str(e->path, sizeof(e->path), name);

		e->path_len = n > 0 ? n - 1 : 0;
	}
	submit(e);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(enf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *t, int group, int result)
{
	struct enf_config *cfg = enf_cfg();
	__u32 target;

	if (!cfg || !cfg->tamper || !agent_alive(cfg))
		return 0;
	target = BPF_CORE_READ(t, tgid);
	if (target != cfg->agent_tgid || (bpf_get_current_pid_tgid() >> 32) == target)
		return 0;
	/* SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGSTOP, SIGTSTP: the ones that stop or end the agent */
	if (sig == 9 || sig == 15 || sig == 2 || sig == 3 || sig == 19 || sig == 20)
		tamper(sig, target, false, 0);
	return 0;
}

/* --- ptrace, setuid to root, BPF program loads, module loads: rules with no condition but the scope --- */

/* One decision for a call that only the scope selects: the outcome (and *sig), or -1 when no rule applies. */
static __always_inline int decide_call(__u32 hook, bool can_deny, __u32 target, __u32 *sig)
{
	struct enf_config *cfg = enf_cfg();
	struct enf_hook_cfg *hc;
	struct enforce_event *e;
	struct enf_rule *r;
	__u64 mntns, scope;
	__u32 h = hook;
	__u8 out;

	*sig = 0;
	if (!cfg)
		return -1;
	hc = bpf_map_lookup_elem(&enf_hooks, &h);
	if (!hc || !hc->nrules)
		return -1;
	mntns = cur_mntns();
	scope = scope_for(cfg, mntns);
	if (!scope)
		return -1;
	r = decide(hook, 0, scope, 0);
	if (!r)
		return -1;
	out = outcome_of(r, can_deny, sig);
	e = new_event(hook, r, out, mntns);
	if (e) {
		e->target = target;
		submit(e);
	}
	return out;
}

/* An LSM hook's answer for a decision: EPERM for a denial (and for a kill: the call must not happen either). */
static __always_inline int lsm_verdict(int out, __u32 sig)
{
	if (out < 0)
		return 0;
	if (sig)
		bpf_send_signal(sig);
	return out == ENF_OUT_DENIED || sig == SIGKILL ? -EPERM : 0;
}

/* The kill floor at a syscall's entry: the call still completes, the process never returns to user space. */
static __always_inline int kill_at_call(__u32 hook, __u32 target)
{
	__u32 sig;

	if (decide_call(hook, false, target, &sig) >= 0 && sig)
		bpf_send_signal(sig);
	return 0;
}

static __always_inline bool is_agent(struct enf_config *cfg)
{
	return cfg->agent_tgid && (bpf_get_current_pid_tgid() >> 32) == cfg->agent_tgid;
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int enf_enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	struct enf_config *cfg = enf_cfg();
	long req = ctx->args[0];
	__u32 pid = ctx->args[1];

	if (!cfg || (req != PTRACE_ATTACH && req != PTRACE_SEIZE))
		return 0;
	if (cfg->tamper && agent_alive(cfg) && pid == cfg->agent_tgid)
		tamper(ENF_TAMPER_PTRACE, pid, false, 0);
	return kill_at_call(ENF_HOOK_PTRACE, pid);
}

static __always_inline bool arg_is_root(long v)
{
	return (__u32)v == 0;
}

/* Only a process that is not root (uid or euid) can become root. */
static __always_inline bool not_root(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, cred, uid.val) != 0 || BPF_CORE_READ(task, cred, euid.val) != 0;
}

SEC("tracepoint/syscalls/sys_enter_setuid")
int enf_enter_setuid(struct trace_event_raw_sys_enter *ctx)
{
	return arg_is_root(ctx->args[0]) && not_root() ? kill_at_call(ENF_HOOK_SETUID, 0) : 0;
}

SEC("tracepoint/syscalls/sys_enter_setreuid")
int enf_enter_setreuid(struct trace_event_raw_sys_enter *ctx)
{
	return (arg_is_root(ctx->args[0]) || arg_is_root(ctx->args[1])) && not_root() ? kill_at_call(ENF_HOOK_SETUID, 0) : 0;
}

SEC("tracepoint/syscalls/sys_enter_setresuid")
int enf_enter_setresuid(struct trace_event_raw_sys_enter *ctx)
{
	return (arg_is_root(ctx->args[0]) || arg_is_root(ctx->args[1]) || arg_is_root(ctx->args[2])) && not_root()
		       ? kill_at_call(ENF_HOOK_SETUID, 0) : 0;
}

SEC("tracepoint/syscalls/sys_enter_setfsuid")
int enf_enter_setfsuid(struct trace_event_raw_sys_enter *ctx)
{
	return arg_is_root(ctx->args[0]) && not_root() ? kill_at_call(ENF_HOOK_SETUID, 0) : 0;
}

/*
 * The bpf() commands that change an existing object: the tamper code, the kind of object and the offset in union
 * bpf_attr of its fd (UAPI: stable); 0 for the others.
 */
static __always_inline __u32 guard_target(long cmd, __u32 *kind, __u32 *off)
{
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
		*kind = ENF_OBJ_MAP;
		*off = 0;               /* map_fd */
		return ENF_TAMPER_MAP_WRITE;
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
		*kind = ENF_OBJ_MAP;
		*off = 36;              /* batch.map_fd */
		return ENF_TAMPER_MAP_WRITE;
	case BPF_LINK_UPDATE:
	case BPF_LINK_DETACH:
		*kind = ENF_OBJ_LINK;
		*off = 0;               /* link_update.link_fd, link_detach.link_fd */
		return ENF_TAMPER_LINK_DETACH;
	case BPF_PROG_DETACH:
		*kind = ENF_OBJ_PROG;
		*off = 4;               /* attach_bpf_fd */
		return ENF_TAMPER_PROG_DETACH;
	default:
		return 0;
	}
}

/*
 * The kernel id of the BPF object behind the caller's fd (its file's private_data), or 0. A file of another type
 * gives a meaningless id, which matches none of Vigil's (and the kernel fails such a call anyway).
 */
static __always_inline __u32 obj_id_of_fd(long fd, __u32 kind)
{
	struct file *f = cur_fd_file(fd);
	void *priv;

	if (!f)
		return 0;
	priv = BPF_CORE_READ(f, private_data);
	if (!priv)
		return 0;
	if (kind == ENF_OBJ_MAP)
		return BPF_CORE_READ((struct bpf_map *)priv, id);
	if (kind == ENF_OBJ_LINK)
		return BPF_CORE_READ((struct bpf_link *)priv, id);
	return BPF_CORE_READ((struct bpf_prog *)priv, aux, id);
}

/*
 * A bpf() call by another process on the object behind fd: reported when it is one of Vigil's; the answer is -EPERM
 * when self-protection holds and the hook can refuse. A write to the unlock map passes, reported.
 */
static __always_inline int guard_call(struct enf_config *cfg, __u32 code, __u32 kind, long fd, bool can_deny)
{
	__u32 id = obj_id_of_fd(fd, kind), *own;
	__u64 key = ((__u64)kind << 32) | id;
	bool deny;

	if (!id)
		return 0;
	own = bpf_map_lookup_elem(&enf_own, &key);
	if (!own)
		return 0;
	if (*own == ENF_OWN_UNLOCK) {
		if (cfg->tamper)
			tamper(ENF_TAMPER_UNLOCK, id, false, 0);
		return 0;
	}
	deny = can_deny && guarded(cfg);
	if (cfg->tamper)
		tamper(code, id, deny, 0);
	return deny ? -EPERM : 0;
}

/* Kernels without BPF LSM: a kill for BPF_PROG_LOAD rules; a report when another process changes Vigil's objects. */
SEC("tracepoint/syscalls/sys_enter_bpf")
int enf_enter_bpf(struct trace_event_raw_sys_enter *ctx)
{
	struct enf_config *cfg = enf_cfg();
	__u32 code, kind = 0, off = 0;
	long cmd = ctx->args[0];
	int fd = -1;

	if (!cfg || is_agent(cfg))
		return 0;
	if (cmd == BPF_PROG_LOAD)
		return kill_at_call(ENF_HOOK_BPF, BPF_PROG_LOAD);
	if (!cfg->tamper || !agent_alive(cfg))
		return 0;
	code = guard_target(cmd, &kind, &off);
	if (!code || bpf_probe_read_user(&fd, sizeof(fd), (void *)ctx->args[1] + off))
		return 0;
	guard_call(cfg, code, kind, fd, false);
	return 0;
}

/* followChildren: a child starts with its parent's answer (and keeps it through exec and reparenting). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(enf_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct enf_config *cfg = enf_cfg();
	struct enf_proc *p, np = {};
	__u32 ptgid, ctgid;

	if (!cfg || !cfg->follow_policies)
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	ctgid = BPF_CORE_READ(child, tgid);
	/* the parent is the current task (a scalar for the global function, not the typed argument) */
	if (ptgid == ctgid || enf_binary_scope(bpf_get_current_task()) < 0)
		return 0;
	p = bpf_map_lookup_elem(&enf_procs, &ptgid);
	if (!p)
		return 0;
	np.exe = p->exe;
	np.own = p->own;
	np.inherited = p->inherited | (p->own & cfg->follow_policies);
	np.generation = p->generation;
	bpf_map_update_elem(&enf_procs, &ctgid, &np, BPF_ANY);
	return 0;
}

#define PTRACE_MODE_ATTACH 0x02

SEC("lsm/ptrace_access_check")
int BPF_PROG(enf_lsm_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct enf_config *cfg = enf_cfg();
	__u32 target, sig;
	int out;

	if (ret || !cfg || !(mode & PTRACE_MODE_ATTACH))
		return ret;
	target = BPF_CORE_READ(child, tgid);
	if (agent_alive(cfg) && target == cfg->agent_tgid && !is_agent(cfg)) {
		/* ptrace of the agent, or reading or writing its memory (/proc/PID/mem, process_vm_*) */
		bool deny = guarded(cfg);

		if (cfg->tamper)
			tamper(ENF_TAMPER_PTRACE, target, deny, 0);
		if (deny)
			return -EPERM;
	}
	out = decide_call(ENF_HOOK_PTRACE, true, target, &sig);
	return lsm_verdict(out, sig);
}

SEC("lsm/task_kill")
int BPF_PROG(enf_lsm_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred, int ret)
{
	struct enf_config *cfg = enf_cfg();

	if (ret || !cfg || !guarded(cfg) || BPF_CORE_READ(p, tgid) != cfg->agent_tgid || is_agent(cfg))
		return ret;
	/* SIGHUP (reload), SIGINT and SIGTERM (an orderly stop, reported), and harmless ones pass; the rest (SIGKILL,
	 * SIGSTOP, SIGQUIT, ...) are refused. signal_generate reports each attempt. */
	if (sig == 0 || sig == 1 || sig == 2 || sig == 15 || sig == 17 || sig == 18 || sig == 23 || sig == 28)
		return 0;
	if (cfg->tamper)
		tamper(sig, cfg->agent_tgid, true, 0); /* a refused signal is never generated: signal_generate would not see it */
	return -EPERM;
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(enf_lsm_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	__u32 sig;
	int out;

	if (ret)
		return ret;
	if (!((BPF_CORE_READ(new, uid.val) == 0 && BPF_CORE_READ(old, uid.val) != 0)
	      || (BPF_CORE_READ(new, euid.val) == 0 && BPF_CORE_READ(old, euid.val) != 0)
	      || (BPF_CORE_READ(new, fsuid.val) == 0 && BPF_CORE_READ(old, fsuid.val) != 0)))
		return 0;
	out = decide_call(ENF_HOOK_SETUID, true, 0, &sig);
	return lsm_verdict(out, sig);
}

/* (no ret argument read: its index moved when kernels added one more parameter to this hook) */
SEC("lsm/bpf")
int BPF_PROG(enf_lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size)
{
	struct enf_config *cfg = enf_cfg();
	__u32 sig, code, kind = 0, off = 0;
	int out, fd = -1;

	if (!cfg || is_agent(cfg))
		return 0;
	if (cmd != BPF_PROG_LOAD) {
		if (!agent_alive(cfg) || (!cfg->tamper && !cfg->protect))
			return 0;
		code = guard_target(cmd, &kind, &off);
		if (!code || bpf_probe_read_kernel(&fd, sizeof(fd), (void *)attr + off))
			return 0;
		return guard_call(cfg, code, kind, fd, true);
	}
	out = decide_call(ENF_HOOK_BPF, true, cmd, &sig);
	return lsm_verdict(out, sig);
}

/* finit_module reads the module's file */
SEC("lsm/kernel_read_file")
int BPF_PROG(enf_lsm_read_file, struct file *file, enum kernel_read_file_id id, bool contents, int ret)
{
	__u32 sig;
	int out;

	if (ret || id != READING_MODULE)
		return ret;
	out = decide_call(ENF_HOOK_MODULE, true, 0, &sig);
	return lsm_verdict(out, sig);
}

/* init_module passes the module's image */
SEC("lsm/kernel_load_data")
int BPF_PROG(enf_lsm_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	__u32 sig;
	int out;

	if (ret || id != LOADING_MODULE)
		return ret;
	out = decide_call(ENF_HOOK_MODULE, true, 0, &sig);
	return lsm_verdict(out, sig);
}

#define BPF_FS_MAGIC 0xcafe4a11

/* Removing (or moving away) a pin in one of Vigil's pin folders: reported; refused to others under self-protection. */
static __always_inline int guard_pin(struct inode *dir, struct dentry *dentry)
{
	struct enf_config *cfg = enf_cfg();
	__u64 ino;
	bool deny;

	if (!cfg || !agent_alive(cfg) || is_agent(cfg) || (!cfg->tamper && !cfg->protect))
		return 0;
	if (BPF_CORE_READ(dir, i_sb, s_magic) != BPF_FS_MAGIC)
		return 0;
	ino = BPF_CORE_READ(dir, i_ino);
	if (!bpf_map_lookup_elem(&enf_pin_dirs, &ino))
		return 0;
	deny = guarded(cfg);
	if (cfg->tamper)
		tamper(ENF_TAMPER_PIN_REMOVE, 0, deny, (const char *)BPF_CORE_READ(dentry, d_name.name));
	return deny ? -EPERM : 0;
}

SEC("lsm/inode_unlink")
int BPF_PROG(enf_lsm_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	return ret ? ret : guard_pin(dir, dentry);
}

SEC("lsm/inode_rename")
int BPF_PROG(enf_lsm_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry, int ret) /* the hook has no flags (security_inode_rename handles RENAME_EXCHANGE) */
{
	return ret ? ret : guard_pin(old_dir, old_dentry);
}

/* --- kernels without LSM: unlink and rename of pins, reported (not refused) at the syscall's entry --- */

#define AT_FDCWD -100

/* Whether the inode is one of Vigil's pin folders (bpffs, inode number in enf_pin_dirs). */
static __always_inline bool is_pin_dir_inode(__u64 magic, __u64 ino)
{
	return magic == BPF_FS_MAGIC && bpf_map_lookup_elem(&enf_pin_dirs, &ino) != NULL;
}

/*
 * A call that removes or moves away the name upath (relative to dfd): reported when it names an entry of one of
 * Vigil's pin folders. A bare name is checked against the folder it is in (dfd's, or the working directory) by inode;
 * an absolute path by its folder's path (enf_pin_paths), so a path spelt another way (a "//", "..", a symlink) or a
 * relative path with folders in it is not seen: a report, best effort, where LSM (which checks the inodes) is missing.
 * Cheap for the calls of everyone else: a relative name outside the pin folders costs no string read, an absolute
 * path whose first 8 bytes differ from the folders' (enf_pin_head) a read of 8 bytes.
 */
__noinline int enf_pin_call(long dfd, __u64 upath)
{
	struct enf_config *cfg = enf_cfg();
	struct enf_scratch *s = scratch();
	struct enf_pin_head *head;
	__u32 zero = 0;
	__u64 *v, first = 0;
	int n, len, i, last = -1;
	bool whole;

	if (!cfg || !s || !cfg->tamper || !agent_alive(cfg) || is_agent(cfg))
		return 0;
	/* the first 8 bytes (a read that crosses into an unmapped page falls back to a string read of 7: no head check) */
	whole = bpf_probe_read_user(&first, sizeof(first), (void *)upath) == 0;
	if (!whole && bpf_probe_read_user_str(&first, sizeof(first), (void *)upath) <= 1)
		return 0;
	if ((first & 0xff) != '/') {
		struct task_struct *t = bpf_get_current_task_btf();
		struct inode *dir;

		if ((int)dfd == AT_FDCWD) {
			dir = t->fs->pwd.dentry->d_inode;
			if (!dir || !is_pin_dir_inode(dir->i_sb->s_magic, dir->i_ino))
				return 0;
		} else {
			struct file *f = cur_fd_file((int)dfd);

			if (!f)
				return 0;
			dir = BPF_CORE_READ(f, f_path.dentry, d_inode);
			if (!dir || !is_pin_dir_inode(BPF_CORE_READ(dir, i_sb, s_magic), BPF_CORE_READ(dir, i_ino)))
				return 0;
		}
	} else {
		head = bpf_map_lookup_elem(&enf_pin_head, &zero);
		if (whole && head && head->on && first != head->bytes)
			return 0;
	}
	n = bpf_probe_read_user_str(s->rkey.path, ENF_PATH_LEN, (void *)upath);
	if (n <= 1)
		return 0;
	len = n - 1;
	for (i = 0; i < ENF_PATH_LEN - 1; i++) { /* from the end, stopping at the first '/': a loop the verifier walks once */
		int at = len - 1 - i;

		if (at < 0)
			break;
		if (s->rkey.path[at & (ENF_PATH_LEN - 1)] == '/') {
			last = at;
			break;
		}
	}
	if ((first & 0xff) != '/') {
		if (last >= 0)
			return 0; /* folders in a relative path: not followed */
	} else {
		if (last == len - 1)
			return 0;
		s->rkey.prefixlen = len * 8;
		v = bpf_map_lookup_elem(&enf_pin_paths, &s->rkey);
		if (!v || *v != (__u64)(last + 1))
			return 0;
	}
	tamper(ENF_TAMPER_PIN_REMOVE, 0, false, &s->rkey.path[(last + 1) & (ENF_PATH_LEN - 1)]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int enf_enter_unlink(struct trace_event_raw_sys_enter *ctx) { return enf_pin_call(AT_FDCWD, ctx->args[0]); }

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int enf_enter_unlinkat(struct trace_event_raw_sys_enter *ctx) { return enf_pin_call(ctx->args[0], ctx->args[1]); }

SEC("tracepoint/syscalls/sys_enter_rename")
int enf_enter_rename(struct trace_event_raw_sys_enter *ctx) { return enf_pin_call(AT_FDCWD, ctx->args[0]); }

SEC("tracepoint/syscalls/sys_enter_renameat")
int enf_enter_renameat(struct trace_event_raw_sys_enter *ctx) { return enf_pin_call(ctx->args[0], ctx->args[1]); }

SEC("tracepoint/syscalls/sys_enter_renameat2")
int enf_enter_renameat2(struct trace_event_raw_sys_enter *ctx) { return enf_pin_call(ctx->args[0], ctx->args[1]); }

/*
 * The agent's last thread exits (signal->live already counted down here): from now on its pid is no one's to guard or
 * report, and its pins may go (a restarted agent replaces them, vigil policy remove removes them).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(enf_process_exit, struct task_struct *p)
{
	struct enf_config *cfg = enf_cfg();

	if (!cfg || !agent_alive(cfg) || BPF_CORE_READ(p, tgid) != cfg->agent_tgid)
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) == 0)
		cfg->agent_gone = 1;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
