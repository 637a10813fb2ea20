/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The sensor's in-kernel prefilter (issue #17), shared with user space (dev.vigil.sensor.SensorPrefilter checks
 * its view against BTF). User space derives it from the loaded rules: for each filtered record kind (the open
 * family), up to 8 clauses, one bit each; an open passes if some clause admits its result, its access mode,
 * whether its raw path contains "..", and (on a clean absolute path) its name. The data lives in maps, so a rule
 * reload rewrites it without reattaching anything.
 */
#ifndef VIGIL_PREFILTER_H
#define VIGIL_PREFILTER_H

#define PF_DATA 256        /* LPM trie data bytes: the kind byte, then the path (with its NUL for exact names) */
#define PF_PATH_READ 255   /* bytes read from user memory, NUL included */
#define PF_MAX_JUDGED 253  /* longest path judged (without NUL); a longer one passes */
#define PF_NO_ARG 0xff

/* One filtered kind (array map sensor_pf_kinds, key: record kind). Masks: one bit per clause. */
struct sensor_pf_kind {
	__u8 on;          /* 0: not filtered (every record passes) */
	__u8 flags_arg;   /* argument holding the open flags, PF_NO_ARG: const_access */
	__u8 flags_ptr;   /* 1: that argument points to the flags (openat2's struct open_how, flags first) */
	__u8 const_access;
	__u8 clauses;     /* the clauses in use */
	__u8 success;     /* clauses admitting ret >= 0 */
	__u8 failure;     /* clauses admitting ret < 0 */
	__u8 path_any;    /* clauses with no name condition */
	__u8 access[4];   /* clauses admitting flags & O_ACCMODE == i */
	__u8 dotdot[2];   /* clauses admitting a raw path without (0) / with (1) ".." */
	__u8 names;       /* clauses with exact names or prefixes (in sensor_pf_names): else that lookup is skipped */
	__u8 suffixes;    /* clauses with suffixes (sensor_pf_suffixes): else the reversed copy and lookup are */
};

/* Key of the tries sensor_pf_names (prefixes, and exact names with their NUL) and sensor_pf_suffixes (reversed). */
struct sensor_pf_key {
	__u32 prefixlen;  /* bits of data that count */
	__u8 data[PF_DATA];
};

#endif
