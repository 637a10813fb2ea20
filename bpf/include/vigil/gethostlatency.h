/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* gethostlatency's record: one definition for both sides (Java: tools.net.GetHostLatency). */
#ifndef VIGIL_GETHOSTLATENCY_H
#define VIGIL_GETHOSTLATENCY_H

#define VIGIL_GETHOST_KIND_EVENT 0
#define VIGIL_HOST_LEN 80

struct vigil_gethost_event {
	__u64 ts_ns;       /* CLOCK_BOOTTIME, at return */
	__u64 latency_ns;
	__u32 pid;
	__u32 tid;
	char comm[16];
	char host[VIGIL_HOST_LEN];
};

#endif
