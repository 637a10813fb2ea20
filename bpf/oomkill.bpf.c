// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * oomkill: OOM kills. Where kprobes exist, libbpf-tools' kprobe on oom_kill_process (the OOM control's
 * victim and total pages); else oom:mark_victim (victim pid, comm, RSS, uid). Both run in the task whose
 * allocation invoked the OOM killer, so the trigger is current.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vigil/ringbuf.bpf.h"
#include "vigil/tool.bpf.h"
#include "vigil/oomkill.h"

VIGIL_RECORD_TYPE(oomkill_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/oom/mark_victim")
int handle_mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct oomkill_event *e;
	unsigned short loc;

	if (!vigil_tool_wanted()) /* the trigger's pid, uid or cgroup */
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(OOMKILL_KIND_KILL);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->tpid = bpf_get_current_pid_tgid() >> 32;
	e->kpid = ctx->pid;
	e->rss_kb = ctx->anon_rss + ctx->file_rss + ctx->shmem_rss;
	e->total_vm_kb = ctx->total_vm;
	e->uid = ctx->uid;
	e->oom_score_adj = ctx->oom_score_adj;
	bpf_get_current_comm(e->tcomm, sizeof(e->tcomm));
	loc = ctx->__data_loc_comm & 0xffff; /* __data_loc: offset in the low 16 bits, length in the high */
	bpf_probe_read_kernel_str(e->kcomm, sizeof(e->kcomm), (void *)ctx + loc);
	e->total_pages = 0;
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(kprobe_oom_kill_process, struct oom_control *oc, const char *message)
{
	struct oomkill_event *e;
	struct task_struct *victim;

	if (!vigil_tool_wanted())
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		vigil_count_drop(OOMKILL_KIND_KILL);
		return 0;
	}
	victim = BPF_CORE_READ(oc, chosen);
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->tpid = bpf_get_current_pid_tgid() >> 32;
	e->kpid = BPF_CORE_READ(victim, tgid);
	e->rss_kb = 0;
	e->total_vm_kb = 0;
	e->uid = BPF_CORE_READ(victim, cred, uid.val);
	e->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);
	e->total_pages = BPF_CORE_READ(oc, totalpages);
	bpf_get_current_comm(e->tcomm, sizeof(e->tcomm));
	BPF_CORE_READ_STR_INTO(&e->kcomm, victim, comm);
	bpf_ringbuf_submit(e, vigil_submit_flags(&events));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
