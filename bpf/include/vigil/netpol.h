/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Network policy (netpol.bpf.c): the maps' keys and values and the flow record. The one definition:
 * Java (dev.vigil.policy.cilium.NetpolMaps) checks its view of these against the object's BTF at load.
 *
 * Identity: a container is the 64-hex id in its cgroup v2 directory name (Docker and runc put containers in
 * the unified hierarchy even with the cgroup v1 driver; measured on the hybrid layout). The kernel learns a
 * cgroup's id from its name at the container's first socket, so a container created after the policy is
 * enforced from its first packet; the agent fills `containers` on Docker's create event, before the
 * container's process runs.
 */
#ifndef VIGIL_NETPOL_H
#define VIGIL_NETPOL_H

#define NETPOL_LAYOUT 1 /* bumped when a map's layout changes: an adopter with another layout refuses */

#define NETPOL_EGRESS 0
#define NETPOL_INGRESS 1

#define NETPOL_FORWARDED 1
#define NETPOL_DROPPED 2
#define NETPOL_AUDIT 3

/* Hubble's drop reasons (flow.proto DropReason) */
#define NETPOL_REASON_NONE 0
#define NETPOL_REASON_POLICY_DENIED 133 /* no rule allows it (default deny) */
#define NETPOL_REASON_POLICY_DENY 181   /* a deny rule matched */

/* endpoint flags */
#define NETPOL_EP_EGRESS_ENFORCED (1u << 0)
#define NETPOL_EP_INGRESS_ENFORCED (1u << 1)
#define NETPOL_EP_AUDIT (1u << 2)
#define NETPOL_EP_SELECTED (1u << 3) /* selected by some policy: its flows are reported */
/* lookups the kernel may skip, per direction (<< dir): set by the compiler; absent, the lookup is made (old state) */
#define NETPOL_EP_NO_PORTS (1u << 4)  /* no exact port in `ports` for this endpoint and direction */
#define NETPOL_EP_NO_RANGES (1u << 6) /* no `ranges` entry for this endpoint and direction */

#define NETPOL_MAX_RANGES 16

/* containers: container key (the first 16 hex digits of the id) -> endpoint */
struct netpol_endpoint {
	__u32 id;        /* generation-unique: a policy change writes a new id, then switches the container to it */
	__u32 flags;
	__u64 deny_mask[2];    /* per direction: the rule bits that are deny rules */
	__u64 any_port[2];     /* per direction: the rule bits with no port restriction */
};

/* cidrs (LPM trie): the rules whose L3 part matches; prefixlen counts from ep */
struct netpol_cidr_key {
	__u32 prefixlen;
	__u32 ep;
	__u8 dir;
	__u8 family; /* 4 or 6 */
	__u8 pad[2];
	__u8 addr[16];
};

/* ports (hash): the rules allowing this destination (egress) or local (ingress) port */
struct netpol_port_key {
	__u32 ep;
	__u8 dir;
	__u8 proto;
	__u16 port; /* host order */
};

struct netpol_range {
	__u16 lo, hi;
	__u8 proto;
	__u8 pad[3];
	__u64 rules;
};

/* ranges (hash, key: ep << 1 | dir): port ranges (endPort), checked in a bounded loop */
struct netpol_ranges {
	__u32 count;
	__u32 pad;
	struct netpol_range r[NETPOL_MAX_RANGES];
};

/* config (array of one) */
struct netpol_config {
	__u32 layout;
	__u32 unknown_deny; /* policy_enforcement=always: a container not (yet) known is denied */
	__u64 root_cgroup;  /* cgroup id of the attach root: its own processes are never restricted */
};

/* udp_flows (LRU): UDP flows already reported, and replies allowed back in */
struct netpol_udp_key {
	__u32 ep;
	__u8 family;
	__u8 pad;
	__u16 port; /* remote port, host order */
	__u8 addr[16]; /* remote address */
};

/* the flow record (ring buffer "flows") */
struct netpol_flow {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u64 container;
	__u64 rules; /* the rule bits that matched */
	__u32 ep;
	__u32 pid;
	char comm[16];
	__u8 verdict;
	__u8 dir;
	__u8 family;
	__u8 proto;
	__u8 reason;
	__u8 tcp_flags;
	__u16 sport;
	__u16 dport;
	__u16 pad;
	__u32 pad2;
	__u8 saddr[16];
	__u8 daddr[16];
};

#endif
