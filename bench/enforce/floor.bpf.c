// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-program floor at the enforcement hooks (bench/enforce/run.sh): programs that do nothing, at the same hooks
 * as enforce.bpf.c's open fallback and connect hook, so the bench can say how much of a hook's cost is Vigil's work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_exit_openat")
int floor_exit_openat(void *ctx) { return 0; }

SEC("cgroup/connect4")
int floor_connect4(struct bpf_sock_addr *ctx) { return 1; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
