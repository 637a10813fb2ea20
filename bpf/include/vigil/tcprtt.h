/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tcprtt's histogram key and value: one definition for both sides (Java: tools.net.TcpRtt). */
#ifndef VIGIL_TCPRTT_H
#define VIGIL_TCPRTT_H

#include "vigil/tool.h"

/* -b / -B: the local or remote address (network order, 4 bytes used for AF_INET); all zero otherwise */
struct tcprtt_key {
	__u16 family;
	__u16 pad;
	__u8 addr[16];
};

struct tcprtt_hist {
	__u64 latency;   /* sum of the samples, in the histogram's unit (-e: the average) */
	__u64 cnt;
	struct vigil_hist hist;
};

#endif
