// SPDX-License-Identifier: GPL-2.0
// run_queue_latency_seconds: how long runnable tasks wait for a CPU, from the moment they become
// runnable (woken, newly forked, or preempted while running) until sched_switch puts them on a
// CPU; an exp2 histogram in microseconds. Only sched tracepoints, no kprobes or fentry.
#include "vmlinux.h"
#include "exporter_maps.bpf.h"

// buckets 0..26: le=1us .. le=2^26us (67 s); longer waits count in the last one
#define MAX_LATENCY_BUCKET 26
// sched_switch's prev_state: 0 for a task that stayed runnable (yield), TASK_REPORT_MAX for a
// preempted one (include/trace/events/sched.h, __trace_sched_switch_state)
#define TASK_RUNNING 0
#define TASK_REPORT_MAX 0x100

struct run_queue_latency_key {
	u64 bucket; // label bucket, size 8, decoder uint
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_LATENCY_BUCKET + 2); // the buckets and the sum entry
	__type(key, struct run_queue_latency_key);
	__type(value, u64);
} run_queue_latency_seconds SEC(".maps");

// pid -> when it became runnable (ns); LRU so that tasks that exit while queued do not fill it
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u64);
} runnable_since SEC(".maps");

static __always_inline void mark_runnable(u32 pid)
{
	u64 now = bpf_ktime_get_ns();

	if (pid) // the idle task is never queued
		bpf_map_update_elem(&runnable_since, &pid, &now, BPF_ANY);
}

SEC("tracepoint/sched/sched_wakeup")
int on_wakeup(struct trace_event_raw_sched_wakeup_template *ctx)
{
	mark_runnable(ctx->pid);
	return 0;
}

SEC("tracepoint/sched/sched_wakeup_new")
int on_wakeup_new(struct trace_event_raw_sched_wakeup_template *ctx)
{
	mark_runnable(ctx->pid);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	// a task preempted while running goes straight back to the run queue
	if (ctx->prev_state == TASK_RUNNING || ctx->prev_state == TASK_REPORT_MAX)
		mark_runnable(ctx->prev_pid);

	u32 next = ctx->next_pid;
	u64 *since = bpf_map_lookup_elem(&runnable_since, &next);

	if (!since)
		return 0;
	u64 waited_us = (bpf_ktime_get_ns() - *since) / 1000;
	struct run_queue_latency_key key = {};

	exp2_histogram_observe(&run_queue_latency_seconds, key, waited_us, MAX_LATENCY_BUCKET);
	bpf_map_delete_elem(&runnable_since, &next);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
