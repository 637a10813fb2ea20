/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Records of the TCP tools, one definition for both sides (Java checks its views, tools.net, against BTF).
 * Addresses are in network order, 4 bytes used for AF_INET; ports in host order.
 */
#ifndef VIGIL_TCP_H
#define VIGIL_TCP_H

#define VIGIL_TCP_KIND_EVENT 0

/* tcpconnect, tcpaccept, tcpconnlat: one connection's endpoints and who made it. */
struct vigil_tcp_event {
	__u64 ts_ns;       /* CLOCK_BOOTTIME */
	__u64 latency_ns;  /* tcpconnlat: SYN sent to ESTABLISHED */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 pad;
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[16];
};

/* tcplife: a connection's whole life, reported when it closes. */
struct vigil_tcplife_event {
	__u64 ts_ns;
	__u64 span_us;
	__u64 rx_b;
	__u64 tx_b;
	__u32 pid;
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 pad[3];
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[16];
};

/* tcpretrans: one retransmitted segment (or with -l a tail loss probe), from tcp:tcp_retransmit_skb. */
#define VIGIL_TCPRETRANS_RETRANSMIT 1
#define VIGIL_TCPRETRANS_LOSS_PROBE 2

struct vigil_tcpretrans_event {
	__u64 ts_ns;       /* CLOCK_BOOTTIME */
	__u32 pid;         /* whoever was current: often 0, retransmits run from timers */
	__u32 state;       /* the socket's TCP state (1 ESTABLISHED .. 12 NEW_SYN_RECV) */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 type;        /* VIGIL_TCPRETRANS_* */
	__u8 laddr[16];
	__u8 raddr[16];
};

/* tcpretrans -c: retransmits counted in the kernel per flow (key of the counts map; value __u64). */
struct vigil_tcpretrans_flow {
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 pad;
	__u8 laddr[16];
	__u8 raddr[16];
};

#endif
