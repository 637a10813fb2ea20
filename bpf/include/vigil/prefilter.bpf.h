/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The prefilter's kernel half (see prefilter.h): vigil_prefilter_drops() decides, before anything else is read
 * for the record, whether an open can matter to user space. It reads the result, the flags (a register, or 8
 * bytes of openat2's struct open_how) and, only when a clause still needs it, the path (up to 253 bytes: a
 * longer or unreadable path passes). dev.vigil.events.prefilter.TypeFilter#passes is its Java mirror, step by
 * step: change both together.
 */
#ifndef VIGIL_PREFILTER_BPF_H
#define VIGIL_PREFILTER_BPF_H

#include "vigil/prefilter.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SENSOR_MAX_KINDS);
	__type(key, __u32);
	__type(value, struct sensor_pf_kind);
} sensor_pf_kinds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sensor_pf_key);
	__type(value, __u32);
} sensor_pf_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sensor_pf_key);
	__type(value, __u32);
} sensor_pf_suffixes SEC(".maps");

struct pf_scratch {
	struct sensor_pf_key fwd;
	struct sensor_pf_key rev;
	__u8 slack[4]; /* rev.data[1 + (r & 0xff)] stays inside, whatever the verifier knows of r */
};

/* v & m, the mask kept where the compiler can prove it redundant (the verifier cannot). */
#define PF_MASKED(v, m) ({ __u64 __v = (v); asm volatile("" : "+r"(__v)); __v & (m); })

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_scratch);
} sensor_pf_scratch SEC(".maps");

/* Records the prefilter dropped, per kind and CPU (what `vigil` reports as filtered in the kernel, not lost). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SENSOR_MAX_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} sensor_pf_dropped SEC(".maps");

static __always_inline __u64 pf_arg(struct pt_regs *regs, __u32 i)
{
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

static __always_inline bool pf_drop(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&sensor_pf_dropped, &kind);

	if (n)
		*n += 1;
	return true;
}

/* The scan's state (bpf_loop: the callback is verified once, not once per byte and state). */
struct pf_scan {
	__u32 len;
	__u32 seg_len;
	__u32 seg_dots;
	__u32 dd;
	__u32 clean;
	__u32 prev;
	__u32 rev;      /* write the reversed copy (a clause still needs the suffix trie) */
	struct pf_scratch *b; /* the per-CPU buffer, looked up once by the caller */
};

/* One byte: "..", empty / "." / ".." components; the reversed copy for the suffix trie. */
static long pf_scan_byte(__u32 i, void *ctx)
{
	struct pf_scan *s = ctx;
	struct pf_scratch *b = s->b;
	__u32 c;

	if (i >= s->len || !b)
		return 1;
	c = b->fwd.data[1 + PF_MASKED(i, 0xff)];
	if (c == '.' && s->prev == '.')
		s->dd = 1;
	if (c == '/') {
		if (i > 0 && s->seg_len == 0)
			s->clean = 0;
		if (s->seg_len > 0 && s->seg_len == s->seg_dots && s->seg_len <= 2)
			s->clean = 0;
		s->seg_len = 0;
		s->seg_dots = 0;
	} else {
		s->seg_len++;
		if (c == '.')
			s->seg_dots++;
	}
	s->prev = c;
	if (s->rev)
		b->rev.data[1 + PF_MASKED(s->len - 1 - i, 0xff)] = c; /* len - 1 - i < len: i < len */
	return 0;
}

/* true: the record is not needed (counted, never written). */
static __noinline bool vigil_prefilter_drops(struct pt_regs *regs, __u32 kind, int path_arg, long ret)
{
	struct sensor_pf_kind *cfg;
	struct pf_scratch *b;
	struct pf_scan sc = {};
	__u32 zero = 0, k = kind & (SENSOR_MAX_KINDS - 1), *hit, m;
	long n;

	if (!regs)
		return false;
	cfg = bpf_map_lookup_elem(&sensor_pf_kinds, &k);
	if (!cfg || !cfg->on)
		return false;
	m = cfg->clauses & (ret >= 0 ? cfg->success : cfg->failure);
	if (!m)
		return pf_drop(k);
	if (cfg->flags_arg < 6) {
		__u64 flags = pf_arg(regs, cfg->flags_arg);

		if (cfg->flags_ptr && bpf_probe_read_user(&flags, sizeof(flags), (const void *)flags))
			return false; /* unknown flags: pass */
		m &= cfg->access[flags & 3];
	} else {
		m &= cfg->access[cfg->const_access & 3];
	}
	if (!m)
		return pf_drop(k);
	if (m & cfg->path_any & cfg->dotdot[0] & cfg->dotdot[1])
		return false;
	if (path_arg < 0 || path_arg >= 6)
		return false;
	b = bpf_map_lookup_elem(&sensor_pf_scratch, &zero);
	if (!b)
		return false;
	n = bpf_probe_read_user_str(&b->fwd.data[1], PF_PATH_READ, (const char *)pf_arg(regs, path_arg));
	if (n <= 0 || n > PF_MAX_JUDGED + 1)
		return false; /* unreadable or too long: pass */
	sc.len = n - 1;
	sc.clean = sc.len > 0 && b->fwd.data[1] == '/';
	sc.rev = (m & cfg->suffixes) != 0;
	sc.b = b;
	bpf_loop(PF_MAX_JUDGED, pf_scan_byte, &sc, 0);
	if (sc.seg_len == 0 && sc.len > 1)
		sc.clean = 0;
	if (sc.seg_len > 0 && sc.seg_len == sc.seg_dots && sc.seg_len <= 2)
		sc.clean = 0;
	m &= cfg->dotdot[sc.dd & 1];
	if (!m)
		return pf_drop(k);
	if (m & cfg->path_any)
		return false;
	if (!sc.clean)
		return false; /* the name is not the raw path: user space normalizes it; pass */
	/* a trie holds only its clauses' bits: one no remaining clause uses cannot admit, so it is not asked */
	if (m & cfg->names) {
		b->fwd.data[0] = k;
		b->fwd.prefixlen = 8 * (1 + n); /* with the NUL: exact names match only whole */
		hit = bpf_map_lookup_elem(&sensor_pf_names, &b->fwd);
		if (hit && (*hit & m))
			return false;
	}
	if (m & cfg->suffixes) {
		b->rev.data[0] = k;
		b->rev.prefixlen = 8 * (1 + sc.len);
		hit = bpf_map_lookup_elem(&sensor_pf_suffixes, &b->rev);
		if (hit && (*hit & m))
			return false;
	}
	return pf_drop(k);
}

#endif
