// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An empty program on the raw sys_exit tracepoint (bench/perf/run.sh, config emptyraw): what any program on that hook
 * costs every syscall of the machine, the floor under the sensor's raw hook for the syscalls this kernel has no
 * tracepoint for (init_module, finit_module without CONFIG_MODULES). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sys_exit")
int BPF_PROG(bench_empty_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
