/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The record bindsnoop.bpf.c emits; the Java view (dev.vigil.tools.bindsnoop.BindSnoop.Event) is checked against BTF. */
#ifndef VIGIL_BINDSNOOP_H
#define VIGIL_BINDSNOOP_H

#include "vigil/tool.h"

/* Event kinds for vigil_drops. */
#define BINDSNOOP_KIND_BIND 0

/* OPTS bits, in libbpf-tools' order of the "FTNRr" column */
#define BINDSNOOP_OPT_FREEBIND 0x01
#define BINDSNOOP_OPT_TRANSPARENT 0x02
#define BINDSNOOP_OPT_BIND_ADDRESS_NO_PORT 0x04
#define BINDSNOOP_OPT_REUSEADDR 0x08
#define BINDSNOOP_OPT_REUSEPORT 0x10

struct bindsnoop_event {
	__u64 ts_ns;        /* bpf_ktime_get_boot_ns() at syscall exit */
	__u8 addr[16];      /* as bind() was asked: 4 bytes used for IPv4, network order */
	__s32 pid;          /* tgid */
	__s32 tid;
	__u32 uid;
	__s32 ret;          /* 0, or -errno */
	__u32 bound_dev_if; /* SO_BINDTODEVICE's ifindex, 0 for none */
	__u16 port;         /* as bind() was asked (0: the kernel picks), host order */
	__u8 opts;          /* BINDSNOOP_OPT_* */
	__u8 proto;         /* IPPROTO_TCP, IPPROTO_UDP, ... (the socket's) */
	__u8 ver;           /* 4 or 6: the socket's family */
	__u8 pad[7];
	char comm[VIGIL_TASK_COMM_LEN];
};

#endif
