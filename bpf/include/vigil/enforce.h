/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Process enforcement (EnforcementPolicy): the tables user space compiles policies into, and the decision
 * record every enforcement decision emits. The Java side (dev.vigil.enforce.kernel) checks its view of these
 * structs against the object's BTF, so a change here that Java does not follow fails at load, not silently.
 *
 * Matching model, per hook (exec, open, connect, bind): each condition of each rule is one "term" bit
 * (up to 64 per hook). Path conditions live in LPM tries keyed by the path's bytes (In: the path with its NUL,
 * Prefix: the prefix; Postfix: the reversed suffix in a second trie); user space stores in every key the
 * union of the terms whose string is a prefix of it, so the longest match carries every term that holds.
 * Negated operators (NotIn, NotPrefix, NotPostfix) flip their bits. A rule holds when all its term bits hold
 * and its policy's scope contains the process (host, or its container's mount namespace, and, for a policy with
 * spec.matchBinaries, the calling process's binary or with followChildren an ancestor's).
 *
 * spec.matchBinaries is one more path "hook" (ENF_HOOK_BINARY) with its own tries: its rules are one per such
 * policy (terms: the policy's conditions; policy: its bit). The answer for a process is cached in enf_procs by
 * tgid, checked against the process's executable (mm->exe_file) and the policy generation.
 */
#ifndef VIGIL_ENFORCE_H
#define VIGIL_ENFORCE_H

#define ENF_PATH_LEN 256        /* LPM data bytes: a key path holds at most 255 characters and its NUL */
#define ENF_MAX_RULES 32        /* rules per hook */
#define ENF_MAX_POLICIES 64     /* a policy is a bit in the scope masks */

enum enf_hook {
	ENF_HOOK_EXEC = 0,
	ENF_HOOK_OPEN = 1,
	ENF_HOOK_CONNECT = 2,
	ENF_HOOK_BIND = 3,
	ENF_HOOK_PTRACE = 4,    /* attach to another process (and reading its memory, under LSM) */
	ENF_HOOK_MODULE = 5,    /* a kernel module load (LSM only) */
	ENF_HOOK_BPF = 6,       /* a BPF program load by anyone but the agent */
	ENF_HOOK_SETUID = 7,    /* a change of uid, euid or fsuid to root by a process that is not root */
	ENF_HOOK_BINARY = 8,    /* not a call: the spec.matchBinaries scope of policies */
	ENF_HOOK_COUNT = 9,
};

/* What a rule asks for. */
enum enf_action {
	ENF_ACT_POST = 0,       /* report only */
	ENF_ACT_DENY = 1,       /* the call fails with EPERM (LSM, cgroup hooks) */
	ENF_ACT_SIGKILL = 2,
	ENF_ACT_SIGNAL = 3,     /* enf_rule.signal */
};

/* What happened (enforce_event.outcome). */
enum enf_outcome {
	ENF_OUT_POSTED = 0,
	ENF_OUT_DENIED = 1,     /* EPERM returned to the caller */
	ENF_OUT_KILLED = 2,     /* SIGKILL sent before the process returns to user space */
	ENF_OUT_SIGNALLED = 3,
	ENF_OUT_MONITORED = 4,  /* monitor mode: would have been the rule's action; nothing done */
	ENF_OUT_TAMPER = 5,     /* someone signalled or ptraced the agent (rule_id: the signal, or 0 for ptrace) */
};

struct enf_path_key {
	__u32 prefixlen;        /* in bits */
	char path[ENF_PATH_LEN];
};

struct enf_net4_key {
	__u32 prefixlen;
	__u32 hook;             /* part of the key: the first 32 prefix bits always match it */
	__u8 addr[4];
};

struct enf_net6_key {
	__u32 prefixlen;
	__u32 hook;
	__u8 addr[16];
};

struct enf_port_key {
	__u32 hook;
	__u32 port;             /* host order */
};

struct enf_rule {
	__u64 terms;            /* every bit must hold */
	__u32 id;               /* user space's rule id, reported in events */
	__u32 policy;           /* bit in the scope masks */
	__u8 action;            /* enum enf_action */
	__u8 monitor;           /* 1: report what would happen, do nothing */
	__u8 signal;            /* for ENF_ACT_SIGNAL, and the kill of a Sigkill fallback */
	__u8 access;            /* open: 1 read, 2 write (either matches) */
	__u32 pad;
};

struct enf_hook_cfg {
	__u64 neg_terms;        /* terms of negated operators */
	__u32 nrules;
	__u32 postfix;          /* 1: the hook has Postfix terms (reverse the path) */
	__u32 access;           /* open: the union of the rules' access bits (an open no rule asks about costs no path walk) */
	__u32 flags;            /* connect, bind: ENF_HOOK_F_* (the lookups a call needs: none for a term kind no rule has) */
	__u64 upper_terms;      /* exec: terms that hold when the executable is in an overlay upper layer (written in the container) */
};

#define ENF_HOOK_F_PORTS 1      /* some rule of the hook has a port term (enf_ports) */
#define ENF_HOOK_F_NET 2        /* some rule of the hook has a CIDR term (enf_net4, enf_net6) */
#define ENF_HOOK_F_BLANK 4      /* some rule of the hook holds when no term hits (no terms, or only negated ones) */

/*
 * enf_net_first: per hook (connect, bind), family and first address byte, 1 when some CIDR entry of that hook and
 * family can match an address starting with that byte (a /0-/7 entry covers a range of them).
 */
#define ENF_NET_FIRST_SLOT(hook, v6, first) ((((hook) - ENF_HOOK_CONNECT) * 2 + ((v6) ? 1 : 0)) * 256 + (first))
#define ENF_NET_FIRST_SLOTS (2 * 2 * 256)

struct enf_config {
	__u64 host_mntns;       /* the host's mount namespace (of pid 1) */
	__u64 host_policies;    /* policies with host: true */
	__u32 agent_tgid;       /* tamper alerts: signals and ptrace aimed at this process */
	__u32 tamper;           /* 1: report tamper */
	__u64 bin_policies;     /* policies with spec.matchBinaries */
	__u64 follow_policies;  /* of those, the ones with followChildren */
	__u32 generation;       /* bumped at every policy change: enf_procs entries of an older one are recomputed */
	__u32 protect;          /* 1 (LSM only, enforcement.self_protection): deny ptrace of and signals to the agent, writes to
	                         * its maps, detaches of its links and removal of its pins by other processes */
	__u32 agent_gone;       /* set by the kernel when the agent's last thread exits: nothing is guarded or reported
	                         * for its pid any more (pinned programs outlive it; the pid may be reused) */
	__u32 pad;
};

/*
 * Tamper reports (enforce_event.rule_id with outcome ENF_OUT_TAMPER): a signal number (1-64), or one of these;
 * enforce_event.action is ENF_ACT_DENY when the kernel refused it (self-protection), target the agent's pid
 * (signals, ptrace) or the object's id (maps, links, programs).
 */
enum enf_tamper {
	ENF_TAMPER_PTRACE = 0,
	ENF_TAMPER_MAP_WRITE = 100,   /* update, delete or freeze of one of Vigil's maps */
	ENF_TAMPER_LINK_DETACH = 101, /* detach, or program swap, of one of Vigil's links */
	ENF_TAMPER_PROG_DETACH = 102, /* legacy detach of one of Vigil's programs */
	ENF_TAMPER_PIN_REMOVE = 103,  /* unlink or rename of a pin in Vigil's bpffs folders (path: the pin's name) */
	ENF_TAMPER_UNLOCK = 104,      /* the unlock map was written (vigil policy remove): self-protection lifted */
};

/* enf_own keys: (kind << 32) | the kernel's object id; value ENF_OWN or ENF_OWN_UNLOCK */
enum enf_obj_kind {
	ENF_OBJ_MAP = 1,
	ENF_OBJ_LINK = 2,
	ENF_OBJ_PROG = 3,
};

#define ENF_OWN 1
#define ENF_OWN_UNLOCK 2

/* A process's spec.matchBinaries answer (enf_procs, by tgid). */
struct enf_proc {
	__u64 exe;              /* the struct file of mm->exe_file the answer is for (an exec changes it) */
	__u64 own;              /* policies whose matchBinaries hold for this binary */
	__u64 inherited;        /* followChildren policies that held for an ancestor */
	__u32 generation;
	__u32 pad;
};

struct enforce_event {
	__u64 ts;               /* CLOCK_MONOTONIC, ns */
	__u64 mntns;
	__u64 cgroup;           /* cgroup v2 id */
	__u32 pid;              /* thread id */
	__u32 tgid;
	__u32 ppid;             /* tgid of the real parent */
	__u32 uid;
	__u32 rule_id;
	__u32 target;           /* tamper: the agent's tgid; ptrace: the tracee's tgid; setuid: the new id; bpf: the command */
	__u16 hook;             /* enum enf_hook */
	__u8 outcome;           /* enum enf_outcome */
	__u8 action;            /* the rule's enum enf_action */
	__u16 port;             /* connect/bind, host order */
	__u16 family;           /* AF_INET / AF_INET6 */
	__u8 addr[16];
	__u32 path_len;         /* bytes of path[] used, without NUL */
	char comm[16];
	char path[ENF_PATH_LEN];
};

#endif
