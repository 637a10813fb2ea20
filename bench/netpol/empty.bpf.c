// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor of the network policy benchmark: a program on each hook a TCP connect runs through (sock_create,
 * connect4, cgroup_skb ingress for the packet coming back) that does nothing and allows. Whatever Vigil's own
 * programs cost beyond these is theirs; these themselves are the price of being on the hooks at all.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/sock_create")
int empty_sock_create(struct bpf_sock *sk)
{
	return 1;
}

SEC("cgroup/connect4")
int empty_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup_skb/ingress")
int empty_ingress(struct __sk_buff *skb)
{
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
