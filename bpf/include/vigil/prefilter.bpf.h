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
	__u32 lead;               /* puts fwd.data at offset 8: the scan's word loads are aligned */
	struct sensor_pf_key fwd;
	struct sensor_pf_key rev;
	__u8 slack[8];            /* the reversal's last store lands before rev.data */
} __attribute__((aligned(8)));

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

/*
 * The path scan, eight bytes at a time (issue #17: one bpf_loop callback per byte cost a failing open ~300 ns, as
 * much as writing its record did). The words are fwd.data's, aligned: the kind byte (ignored), the path from byte 1,
 * its NUL at byte len + 1. Byte lanes are flags in bit 7 of each byte of a word: which bytes are '.', which '/',
 * which is the end (the NUL). What RawPath computes per byte is a few patterns over 4 consecutive bytes, tested for
 * all 8 start positions of a word at once by shifting in the next word's flags:
 *   ".."                            D(p) & D(p+1)
 *   unclean: "//" or a trailing '/', "/." or "/.." as a whole component
 *                                   S(p) & (T(p+1) | D(p+1) & T(p+2) | D(p+1) & D(p+2) & T(p+3)),  T = S | end
 * ("/" alone is clean: it is the one path whose trailing '/' is its first byte.)
 */
#define PF_LANES 0x8080808080808080ULL
#define PF_LOW7 0x7f7f7f7f7f7f7f7fULL
#define PF_WORDS 32 /* fwd.data's words: the NUL of the longest judged path is byte 254 */

/* Bit 7 of each byte of x that equals c (exact: no carry between bytes). */
static __always_inline __u64 pf_eq(__u64 x, __u64 c)
{
	__u64 y = x ^ (c * 0x0101010101010101ULL);

	return ~(((y & PF_LOW7) + PF_LOW7) | y | PF_LOW7);
}

/*
 * Word k of fwd.data, by address arithmetic the compiler cannot see through: it then trusts the type's alignment
 * (which holds: fwd.data is at offset 8) and loads the word at once, instead of byte by byte.
 */
static __always_inline __u64 pf_word(struct pf_scratch *b, __u32 k)
{
	return *(__u64 *)((unsigned long)b + offsetof(struct pf_scratch, fwd.data) + 8 * PF_MASKED(k, PF_WORDS - 1));
}

/* The flags of word k: dots, slashes, and T (slashes and the end), masked to the path's bytes. */
struct pf_word {
	__u64 d, s, t;
};

static __always_inline struct pf_word pf_flags(struct pf_scratch *b, __u32 k, __u32 len, bool slashes)
{
	struct pf_word f = {};
	__s32 r = (__s32)len + 1 - (__s32)(8 * k); /* the NUL's lane, counted from this word's first */
	__u64 x, valid, end = 0;

	if (r < 0)
		return f;
	x = pf_word(b, k);
	if (r >= 8) {
		valid = PF_LANES;
	} else {
		valid = ((1ULL << (8 * r)) - 1) & PF_LANES;
		end = 0x80ULL << (8 * r);
	}
	if (k == 0)
		valid &= ~0x80ULL; /* the kind byte */
	f.d = pf_eq(x, '.') & valid;
	if (slashes) {
		f.s = pf_eq(x, '/') & valid;
		f.t = f.s | end;
	}
	return f;
}

/* Lanes of (cur, next) moved down by n bytes: lane p holds what lane p + n did. */
#define PF_SH(cur, nxt, n) (((cur) >> (8 * (n))) | ((nxt) << (64 - 8 * (n))))

struct pf_path {
	bool dotdot;
	bool clean;
};

/*
 * What RawPath.of says of the path in b->fwd.data[1..len] (NUL at len + 1), len <= PF_MAX_JUDGED. Without
 * need_clean (no remaining clause tests a name: a failing open under the stable rules) only ".." is looked for,
 * and clean is left false.
 */
static __always_inline struct pf_path pf_scan(struct pf_scratch *b, __u32 len, bool need_clean)
{
	struct pf_path out = {};
	struct pf_word cur = pf_flags(b, 0, len, need_clean), nxt;
	__u64 dd = 0, bad = 0;
	__u32 k;

	for (k = 0; k < PF_WORDS; k++) {
		__u64 d1, d2, t1, t2, t3;

		nxt = pf_flags(b, k + 1, len, need_clean);
		d1 = PF_SH(cur.d, nxt.d, 1);
		dd |= cur.d & d1;
		if (need_clean) {
			d2 = PF_SH(cur.d, nxt.d, 2);
			t1 = PF_SH(cur.t, nxt.t, 1);
			t2 = PF_SH(cur.t, nxt.t, 2);
			t3 = PF_SH(cur.t, nxt.t, 3);
			bad |= cur.s & (t1 | (d1 & t2) | (d1 & d2 & t3));
		}
		if (8 * (k + 1) > len + 1)
			break; /* word k held the end */
		cur = nxt;
	}
	out.dotdot = dd != 0;
	out.clean = need_clean && len > 0 && b->fwd.data[1] == '/' && (len == 1 || !bad);
	return out;
}

/*
 * The reversed path for the suffix trie: rev.data[len - i] = fwd.data[1 + i], a byte-swapped word at a time (word k
 * lands at rev.data[len - 8k - 6]). The bytes that are not the path's land just past it (the kind byte: beyond the
 * key's prefix) or before rev.data[1] (on rev's prefixlen and kind, written after, and on the end of fwd, whose
 * lookup is done by then).
 */
static __always_inline void pf_reverse(struct pf_scratch *b, __u32 len)
{
	__u32 k;

	for (k = 0; k < PF_WORDS; k++) {
		__u64 x, off;

		if (8 * k > len)
			break;
		x = pf_word(b, k);
		off = offsetof(struct pf_scratch, rev.data) + len - 8 * k - 6;
		off = PF_MASKED(off, 1023);
		if (off > sizeof(struct pf_scratch) - 8)
			break;
		*(__u64 *)((unsigned long)b + off) = __builtin_bswap64(x);
	}
}

/* true: the record is not needed (counted, never written). */
static __noinline bool vigil_prefilter_drops(struct pt_regs *regs, __u32 kind, int path_arg, long ret)
{
	struct sensor_pf_kind *cfg;
	struct pf_scratch *b;
	struct pf_path pp;
	__u32 zero = 0, k = kind & (SENSOR_MAX_KINDS - 1), *hit, m, len;
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
	len = n - 1;
	pp = pf_scan(b, len, (m & ~cfg->path_any) != 0);
	m &= cfg->dotdot[pp.dotdot];
	if (!m)
		return pf_drop(k);
	if (m & cfg->path_any)
		return false;
	if (!pp.clean)
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
		pf_reverse(b, len);
		b->rev.data[0] = k;
		b->rev.prefixlen = 8 * (1 + len);
		hit = bpf_map_lookup_elem(&sensor_pf_suffixes, &b->rev);
		if (hit && (*hit & m))
			return false;
	}
	return pf_drop(k);
}

#endif
