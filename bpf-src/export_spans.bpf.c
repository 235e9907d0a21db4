// SPDX-License-Identifier: GPL-2.0
// Spans for jbpf export's tracing (ebpf_exporter's tracing.spans form; the config is
// exporter/src/test/resources/export/export_spans.yaml): one span per process image, from its
// exec (tp_btf/sched_process_exec) to its exit (tp_btf/sched_process_exit), named by the config,
// with the process's comm, pid and parent pid. A process whose parent is traced joins the
// parent's trace as its child span; any other starts a trace of its own.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "export_common.h"

struct exec_span {
	struct export_span_header header;
	char comm[16];
	__u32 pid;
	__u32 ppid;
};

/* the span of each process running an image exec'd since load, by tgid, until it exits */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct exec_span);
} running SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_spans SEC(".maps");

SEC("tp_btf/sched_process_exec")
int BPF_PROG(span_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_span span = {};
	struct exec_span *parent;
	__u32 tgid = p->tgid, ptgid = p->real_parent->tgid;

	span.header.start_ns = bpf_ktime_get_ns();
	parent = bpf_map_lookup_elem(&running, &ptgid);
	if (parent) {
		span.header.trace_id_hi = parent->header.trace_id_hi;
		span.header.trace_id_lo = parent->header.trace_id_lo;
		span.header.parent_span_id = parent->header.span_id;
	} else {
		span.header.trace_id_hi = random_id();
		span.header.trace_id_lo = span.header.start_ns;
	}
	span.header.span_id = random_id();
	bpf_get_current_comm(span.comm, sizeof(span.comm)); /* current is p, already named after its new image */
	span.pid = tgid;
	span.ppid = ptgid;
	/* a second exec of the same process (a launcher exec'ing its target) starts its span anew */
	bpf_map_update_elem(&running, &tgid, &span, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(span_exit, struct task_struct *p)
{
	struct exec_span *span, *record;
	__u32 tgid = p->tgid;

	if (p->pid != p->tgid) /* a thread's exit; the span ends with the process's main thread */
		return 0;
	span = bpf_map_lookup_elem(&running, &tgid);
	if (!span)
		return 0;
	record = bpf_ringbuf_reserve(&exec_spans, sizeof(*record), 0);
	if (record) {
		*record = *span;
		record->header.duration_ns = bpf_ktime_get_ns() - span->header.start_ns;
		bpf_ringbuf_submit(record, 0);
	}
	bpf_map_delete_elem(&running, &tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
