// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Network policy in the kernel (CiliumNetworkPolicy L3/L4): egress on connect4/6 (TCP and connected UDP) and
 * sendmsg4/6 (unconnected UDP), ingress on cgroup_skb/ingress, raw sockets on sock_create, identity learnt at connect,
 * sendmsg and post_bind4/6 (a listener's bind). Attached
 * once at a cgroup v2 root (every container below it), deciding per container by its cgroup. Verdict = the rule
 * bits whose CIDR matches (LPM trie; each prefix carries every rule covering it, excepts subtracted) AND the rule
 * bits whose port matches (hash, plus a few ranges); a deny bit beats an allow bit; no bit and an enforced
 * direction is default deny. Every decision for a selected container is a flow record; UDP flows once per flow.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/netpol.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_RAW 3
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define DROP_KIND_FLOW 0

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct netpol_endpoint);
} containers SEC(".maps");

/* cgroup id -> container key (0: not a container); learnt at the first socket, filled by the agent too */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netpol_cidr_key);
	__type(value, __u64);
} cidrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct netpol_port_key);
	__type(value, __u64);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct netpol_ranges);
} ranges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netpol_config);
} np_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct netpol_udp_key);
	__type(value, __u8);
} udp_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} flows SEC(".maps");

/* The BTF the Java view of the flow record is checked against (it is otherwise only reached through the ring). */
struct netpol_flow _netpol_flow_btf = {};

static __always_inline struct netpol_config *cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&np_config, &zero);
}

/* 16 hex digits at s as a number; *bad set when one is not a lowercase hex digit (branch-free: few states) */
static __always_inline __u64 parse16(const char *s, __u32 *bad)
{
	__u64 key = 0;
	__u32 b = 0;

	for (int i = 0; i < 16; i++) {
		__u8 c = s[i];
		__u8 v = c >= 'a' ? c - 'a' + 10 : c - '0';

		b |= v > 15;
		key = (key << 4) | (v & 0xf);
	}
	*bad = b;
	return key;
}

/* The container key of the current task's cgroup v2 directory name (64 hex, maybe "docker-" or
 * "cri-containerd-" in front), or 0. */
static __always_inline __u64 key_from_current_cgroup(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	const char *name = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, name);
	char buf[96] = {};
	int n = bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	__u32 bad = 1;
	__u64 key;

	if (n == 65) { /* the id alone, as Docker's cgroupfs driver names it */
		key = parse16(buf, &bad);
	} else if (n == 7 + 64 + 6 + 1 && buf[6] == '-') { /* docker-<id>.scope (systemd driver) */
		key = parse16(buf + 7, &bad);
	} else if (n == 15 + 64 + 6 + 1 && buf[14] == '-') { /* cri-containerd-<id>.scope */
		key = parse16(buf + 15, &bad);
	} else {
		return 0;
	}
	if (bad)
		return 0;
	return key ? key : 1;
}

/* The container key of a cgroup: the cache, else (in process context) the cgroup's name. */
static __always_inline __u64 container_key_of(__u64 cgid, int process_context)
{
	__u64 *k = bpf_map_lookup_elem(&cgroups, &cgid);

	if (k)
		return *k;
	if (!process_context)
		return 0;
	__u64 key = key_from_current_cgroup();

	bpf_map_update_elem(&cgroups, &cgid, &key, BPF_ANY);
	return key;
}

struct np_decision {
	__u64 rules;
	__u8 verdict;
	__u8 reason;
};

static __always_inline void decide(struct netpol_endpoint *ep, __u8 dir, __u8 family, const __u8 *addr,
				   __u8 proto, __u16 port, struct np_decision *d)
{
	struct netpol_cidr_key ck = {};
	struct netpol_port_key pk = {};
	__u64 l3 = 0, l4, m, *v;
	__u64 rkey = ((__u64)ep->id << 1) | dir;
	struct netpol_ranges *rs;

	ck.prefixlen = 64 + (family == 4 ? 32 : 128);
	ck.ep = ep->id;
	ck.dir = dir;
	ck.family = family;
	__builtin_memcpy(ck.addr, addr, 16);
	v = bpf_map_lookup_elem(&cidrs, &ck);
	if (v)
		l3 = *v;
	l4 = ep->any_port[dir & 1];
	if (l3 && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
		pk.ep = ep->id;
		pk.dir = dir;
		pk.proto = proto;
		pk.port = port;
		/* the compiler marks a direction that has no exact ports or no ranges: one lookup fewer each */
		v = ep->flags & (NETPOL_EP_NO_PORTS << (dir & 1)) ? NULL : bpf_map_lookup_elem(&ports, &pk);
		if (v)
			l4 |= *v;
		rs = ep->flags & (NETPOL_EP_NO_RANGES << (dir & 1)) ? NULL : bpf_map_lookup_elem(&ranges, &rkey);
		if (rs) {
#pragma unroll
			for (int i = 0; i < NETPOL_MAX_RANGES; i++) {
				if (i >= rs->count)
					break;
				if (rs->r[i].proto == proto && port >= rs->r[i].lo && port <= rs->r[i].hi)
					l4 |= rs->r[i].rules;
			}
		}
	}
	m = l3 & l4;
	d->rules = m;
	d->reason = NETPOL_REASON_NONE;
	if (m & ep->deny_mask[dir & 1]) {
		d->verdict = NETPOL_DROPPED;
		d->reason = NETPOL_REASON_POLICY_DENY;
	} else if (m) {
		d->verdict = NETPOL_FORWARDED;
	} else if (ep->flags & (dir == NETPOL_EGRESS ? NETPOL_EP_EGRESS_ENFORCED : NETPOL_EP_INGRESS_ENFORCED)) {
		d->verdict = NETPOL_DROPPED;
		d->reason = NETPOL_REASON_POLICY_DENIED;
	} else {
		d->verdict = NETPOL_FORWARDED;
	}
	if (d->verdict == NETPOL_DROPPED && (ep->flags & NETPOL_EP_AUDIT))
		d->verdict = NETPOL_AUDIT;
}

static __always_inline void emit(__u64 cgid, __u64 container, __u32 ep, struct np_decision *d, __u8 dir, __u8 family,
				 __u8 proto, const __u8 *saddr, __u16 sport, const __u8 *daddr, __u16 dport,
				 __u8 tcp_flags, int process_context)
{
	struct netpol_flow *f = bpf_ringbuf_reserve(&flows, sizeof(*f), 0);

	if (!f) {
		vigil_count_drop(DROP_KIND_FLOW);
		return;
	}
	f->ts_ns = bpf_ktime_get_boot_ns();
	f->cgroup_id = cgid;
	f->container = container;
	f->rules = d->rules;
	f->ep = ep;
	f->verdict = d->verdict;
	f->reason = d->reason;
	f->dir = dir;
	f->family = family;
	f->proto = proto;
	f->tcp_flags = tcp_flags;
	f->sport = sport;
	f->dport = dport;
	f->pad = 0;
	f->pad2 = 0;
	__builtin_memcpy(f->saddr, saddr, 16);
	__builtin_memcpy(f->daddr, daddr, 16);
	if (process_context) {
		f->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(f->comm, sizeof(f->comm));
	} else {
		f->pid = 0;
		__builtin_memset(f->comm, 0, sizeof(f->comm));
	}
	/* the ring's fill is asked at one record in VIGIL_QUERY_EVERY (by the clock's low bits: no counter to keep) */
	bpf_ringbuf_submit(f, vigil_submit_flags_sampled(&flows, f->ts_ns >> 6));
}

static const __u8 zero_addr[16] = {};

/* The decision for an endpoint that is a container not (yet) known to the agent. */
static __always_inline int unknown(struct netpol_config *c, __u64 cgid, __u64 key, __u8 dir, __u8 family,
				   __u8 proto, const __u8 *saddr, __u16 sport, const __u8 *daddr, __u16 dport,
				   int process_context)
{
	struct np_decision d = {.verdict = NETPOL_DROPPED, .reason = NETPOL_REASON_POLICY_DENIED};

	if (!c || !c->unknown_deny)
		return 1;
	emit(cgid, key, 0, &d, dir, family, proto, saddr, sport, daddr, dport, 0, process_context);
	return 0;
}

/* Egress from a socket call (connect, sendmsg): 1 allows, 0 denies (EPERM). */
static __always_inline int egress(struct bpf_sock_addr *ctx, __u8 family, int udp_sendmsg)
{
	struct netpol_config *c = cfg();
	__u64 cgid = bpf_get_current_cgroup_id();
	__u8 addr[16] = {};
	__u8 proto = ctx->protocol;
	__u16 port = bpf_ntohs(ctx->user_port);
	struct netpol_endpoint *ep;
	struct np_decision d;
	__u64 key;

	if (c && cgid == c->root_cgroup)
		return 1;
	key = container_key_of(cgid, 1);
	if (!key)
		return 1;
	if (family == 4) {
		__u32 a = ctx->user_ip4;
		__builtin_memcpy(addr, &a, 4);
	} else {
		__u32 a0 = ctx->user_ip6[0], a1 = ctx->user_ip6[1], a2 = ctx->user_ip6[2], a3 = ctx->user_ip6[3];
		__builtin_memcpy(addr, &a0, 4);
		__builtin_memcpy(addr + 4, &a1, 4);
		__builtin_memcpy(addr + 8, &a2, 4);
		__builtin_memcpy(addr + 12, &a3, 4);
	}
	ep = bpf_map_lookup_elem(&containers, &key);
	if (!ep)
		return unknown(c, cgid, key, NETPOL_EGRESS, family, proto, zero_addr, 0, addr, port, 1);
	if (!(ep->flags & NETPOL_EP_SELECTED) && !(ep->flags & (NETPOL_EP_EGRESS_ENFORCED | NETPOL_EP_INGRESS_ENFORCED)))
		return 1;
	decide(ep, NETPOL_EGRESS, family, addr, proto, port, &d);
	if (proto == IPPROTO_UDP) {
		struct netpol_udp_key uk = {.ep = ep->id, .family = family, .port = port};
		__u8 *seen, v = d.verdict;

		__builtin_memcpy(uk.addr, addr, 16);
		seen = bpf_map_lookup_elem(&udp_flows, &uk);
		if (!seen || *seen != v) {
			bpf_map_update_elem(&udp_flows, &uk, &v, BPF_ANY);
			if (ep->flags & NETPOL_EP_SELECTED)
				emit(cgid, key, ep->id, &d, NETPOL_EGRESS, family, proto, zero_addr, 0, addr, port, 0, 1);
		}
	} else if (ep->flags & NETPOL_EP_SELECTED) {
		emit(cgid, key, ep->id, &d, NETPOL_EGRESS, family, proto, zero_addr, 0, addr, port, 0x02 /* SYN */, 1);
	}
	return d.verdict != NETPOL_DROPPED;
}

SEC("cgroup/connect4")
int netpol_connect4(struct bpf_sock_addr *ctx)
{
	return egress(ctx, 4, 0);
}

SEC("cgroup/connect6")
int netpol_connect6(struct bpf_sock_addr *ctx)
{
	return egress(ctx, 6, 0);
}

SEC("cgroup/sendmsg4")
int netpol_sendmsg4(struct bpf_sock_addr *ctx)
{
	return egress(ctx, 4, 1);
}

SEC("cgroup/sendmsg6")
int netpol_sendmsg6(struct bpf_sock_addr *ctx)
{
	return egress(ctx, 6, 1);
}

/* Raw and ICMP sockets are refused where egress is enforced (ICMP rules are not supported, so nothing could allow
 * them). Every other socket returns on its type alone, before any lookup: this hook runs for every socket of every
 * process under the root, and the cgroup is learnt where it is needed (connect, sendmsg, bind). */
SEC("cgroup/sock_create")
int netpol_sock_create(struct bpf_sock *sk)
{
	struct netpol_config *c;
	struct netpol_endpoint *ep;
	__u64 cgid, key;

	if (sk->type != SOCK_RAW && sk->protocol != IPPROTO_ICMP && sk->protocol != IPPROTO_ICMPV6)
		return 1;
	if (sk->family != AF_INET && sk->family != AF_INET6)
		return 1;
	c = cfg();
	cgid = bpf_get_current_cgroup_id();
	if (c && cgid == c->root_cgroup)
		return 1;
	key = container_key_of(cgid, 1);
	if (!key)
		return 1;
	ep = bpf_map_lookup_elem(&containers, &key);
	if (!ep)
		return !(c && c->unknown_deny);
	if ((ep->flags & NETPOL_EP_EGRESS_ENFORCED) && !(ep->flags & NETPOL_EP_AUDIT))
		return 0;
	return 1;
}

/* A socket that binds (a listener, a UDP receiver) teaches the kernel its cgroup, so that ingress, which runs where
 * no task can be asked for its cgroup's name, knows a container the agent has not located yet. */
static __always_inline int learn_on_bind(void)
{
	struct netpol_config *c = cfg();
	__u64 cgid = bpf_get_current_cgroup_id();

	if (!(c && cgid == c->root_cgroup))
		container_key_of(cgid, 1);
	return 1;
}

SEC("cgroup/post_bind4")
int netpol_post_bind4(struct bpf_sock *sk)
{
	return learn_on_bind();
}

SEC("cgroup/post_bind6")
int netpol_post_bind6(struct bpf_sock *sk)
{
	return learn_on_bind();
}

/* The IP and L4 headers of an inbound packet, read in place (skb->data is the network header here, and the socket
 * layer has pulled the L4 header into the linear part); the copying helper only when they are not all linear. */
struct np_headers {
	__u8 saddr[16], daddr[16];
	__u8 family, proto, flags, pass; /* pass: decided without a lookup (open connection, later fragment) */
	__u16 sport, dport;
};

/* 0: parsed (or pass set); -1: not linear, the slow path must read it */
static __always_inline int headers_direct(struct __sk_buff *skb, struct np_headers *h)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 l4off;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end)
			return -1;
		h->family = 4;
		h->proto = ip->protocol;
		if (ip->frag_off & bpf_htons(0x1fff)) {
			h->pass = 1; /* a later fragment: its first was decided */
			return 0;
		}
		__builtin_memcpy(h->saddr, &ip->saddr, 4);
		__builtin_memcpy(h->daddr, &ip->daddr, 4);
		l4off = (ip->ihl & 0xf) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		if ((void *)(ip6 + 1) > end)
			return -1;
		h->family = 6;
		h->proto = ip6->nexthdr; /* extension headers: not walked */
		__builtin_memcpy(h->saddr, &ip6->saddr, 16);
		__builtin_memcpy(h->daddr, &ip6->daddr, 16);
		l4off = sizeof(*ip6);
	} else {
		h->pass = 1;
		return 0;
	}
	if (h->proto == IPPROTO_TCP) {
		struct tcphdr *th = data + l4off;

		if ((void *)(th + 1) > end)
			return -1;
		h->sport = bpf_ntohs(th->source);
		h->dport = bpf_ntohs(th->dest);
		h->flags = ((__u8 *)th)[13];
	} else if (h->proto == IPPROTO_UDP) {
		struct udphdr *uh = data + l4off;

		if ((void *)(uh + 1) > end)
			return -1;
		h->sport = bpf_ntohs(uh->source);
		h->dport = bpf_ntohs(uh->dest);
	}
	return 0;
}

static __noinline int headers_copied(struct __sk_buff *skb, struct np_headers *h)
{
	__u32 l4off;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return -1;
		h->family = 4;
		h->proto = ip.protocol;
		if (ip.frag_off & bpf_htons(0x1fff)) {
			h->pass = 1;
			return 0;
		}
		__builtin_memcpy(h->saddr, &ip.saddr, 4);
		__builtin_memcpy(h->daddr, &ip.daddr, 4);
		l4off = (ip.ihl & 0xf) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return -1;
		h->family = 6;
		h->proto = ip6.nexthdr;
		__builtin_memcpy(h->saddr, &ip6.saddr, 16);
		__builtin_memcpy(h->daddr, &ip6.daddr, 16);
		l4off = sizeof(ip6);
	} else {
		h->pass = 1;
		return 0;
	}
	if (h->proto == IPPROTO_TCP) {
		struct tcphdr th;

		if (bpf_skb_load_bytes(skb, l4off, &th, sizeof(th)))
			return -1;
		h->sport = bpf_ntohs(th.source);
		h->dport = bpf_ntohs(th.dest);
		h->flags = ((__u8 *)&th)[13];
	} else if (h->proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, l4off, &uh, sizeof(uh)))
			return -1;
		h->sport = bpf_ntohs(uh.source);
		h->dport = bpf_ntohs(uh.dest);
	}
	return 0;
}

SEC("cgroup_skb/ingress")
int netpol_ingress(struct __sk_buff *skb)
{
	struct np_headers h = {};
	struct netpol_config *c;
	__u64 cgid;
	struct netpol_endpoint *ep;
	struct np_decision d;
	__u64 key;

	/* headers first: every packet of an open TCP connection returns before any map lookup */
	if (headers_direct(skb, &h) && headers_copied(skb, &h))
		return 1;
	if (h.pass)
		return 1;
	/* only a new inbound connection is decided: replies to allowed connects carry ACK, and packets of connections
	 * already open stay allowed across policy changes */
	if (h.proto == IPPROTO_TCP && (!(h.flags & 0x02) || (h.flags & 0x10)))
		return 1;
	c = cfg();
	cgid = bpf_skb_cgroup_id(skb);
	if (c && cgid == c->root_cgroup)
		return 1;
	key = container_key_of(cgid, 0);
	if (!key)
		return 1;
	ep = bpf_map_lookup_elem(&containers, &key);
	if (!ep)
		return unknown(c, cgid, key, NETPOL_INGRESS, h.family, h.proto, h.saddr, h.sport, h.daddr, h.dport, 0);
	if (!(ep->flags & NETPOL_EP_SELECTED) && !(ep->flags & (NETPOL_EP_EGRESS_ENFORCED | NETPOL_EP_INGRESS_ENFORCED)))
		return 1;
	if (h.proto == IPPROTO_UDP) {
		struct netpol_udp_key uk = {.ep = ep->id, .family = h.family, .port = h.sport};
		__u8 *seen;

		__builtin_memcpy(uk.addr, h.saddr, 16);
		seen = bpf_map_lookup_elem(&udp_flows, &uk);
		if (seen && *seen != NETPOL_DROPPED)
			return 1; /* a reply to a flow the container started */
	}
	decide(ep, NETPOL_INGRESS, h.family, h.saddr, h.proto, h.dport, &d);
	if (ep->flags & NETPOL_EP_SELECTED)
		emit(cgid, key, ep->id, &d, NETPOL_INGRESS, h.family, h.proto, h.saddr, h.sport, h.daddr, h.dport, h.flags, 0);
	return d.verdict != NETPOL_DROPPED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
