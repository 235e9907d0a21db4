// SPDX-License-Identifier: GPL-2.0
// Programs for the perf event tests (dev.jbpf.perf): a perf_event program counting samples,
// a tracepoint program reading counters through a perf event array, and one sending events
// to a perf buffer. The tracepoint programs only act for the process whose tgid Java stores
// in target[0], so other processes' getppid(2) calls do not disturb the counts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tracing_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* tgid of the test process */
} target SEC(".maps");

static __always_inline int from_target(void)
{
	__u32 zero = 0, *tgid = bpf_map_lookup_elem(&target, &zero);

	return tgid && *tgid == (__u32)(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void bump(void *map, const void *key)
{
	__u64 one = 1, *value = bpf_map_lookup_elem(map, key);

	if (value)
		__sync_fetch_and_add(value, 1);
	else if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
		if ((value = bpf_map_lookup_elem(map, key))) /* another CPU created it first */
			__sync_fetch_and_add(value, 1);
}

/* ---- samples of a sampling perf event (cpu-clock) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* CPU */
	__type(value, __u64); /* samples */
} samples_by_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);   /* tgid (0 = idle) */
	__type(value, __u64); /* samples */
} samples_by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);   /* attach cookie */
	__type(value, __u64); /* samples */
} samples_by_cookie SEC(".maps");

SEC("perf_event")
int count_sample(struct bpf_perf_event_data *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 cookie = attach_cookie(ctx);

	bump(&samples_by_cpu, &cpu);
	bump(&samples_by_pid, &tgid);
	bump(&samples_by_cookie, &cookie);
	return 0;
}

/* A tracepoint program attached through a tracepoint perf event opened from Java. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tracepoint_hits SEC(".maps");

SEC("tracepoint")
int count_tracepoint(void *ctx)
{
	__u32 zero = 0;
	__u64 *hits;

	if (!from_target())
		return 0;
	hits = bpf_map_lookup_elem(&tracepoint_hits, &zero);
	if (hits)
		__sync_fetch_and_add(hits, 1);
	return 1; /* a tracepoint program's 1 lets the perf event count the hit too; 0 would filter it out */
}

/* ---- counters read through a perf event array filled from Java ---- */

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	/* max_entries unset: libbpf makes it the number of possible CPUs */
} counters SEC(".maps");

struct reading {
	__u64 counter;
	__u64 enabled;
	__u64 running;
	__s64 err;   /* bpf_perf_event_read_value's result */
	__u64 reads; /* readings taken on this CPU */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* CPU */
	__type(value, struct reading);
} readings SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_counter(void *ctx)
{
	struct bpf_perf_event_value value = {};
	struct reading fresh = {}, *last;
	__u32 cpu;

	if (!from_target())
		return 0;
	cpu = bpf_get_smp_processor_id();
	fresh.err = bpf_perf_event_read_value(&counters, BPF_F_CURRENT_CPU, &value, sizeof(value));
	fresh.counter = value.counter;
	fresh.enabled = value.enabled;
	fresh.running = value.running;
	last = bpf_map_lookup_elem(&readings, &cpu);
	fresh.reads = last ? last->reads + 1 : 1;
	bpf_map_update_elem(&readings, &cpu, &fresh, BPF_ANY);
	return 0;
}

/* ---- events sent to a perf buffer ---- */

struct perf_sample {
	__u32 pid;
	__u32 tid;
	__u32 cpu;
	__u32 seq;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* [0] next sequence number, [1] outputs that succeeded, [2] outputs that failed */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} output_stats SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int emit_sample(void *ctx)
{
	__u32 seq_key = 0, ok_key = 1, failed_key = 2;
	struct perf_sample sample = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *seq, *outcome;

	if (!from_target())
		return 0;
	seq = bpf_map_lookup_elem(&output_stats, &seq_key);
	if (!seq)
		return 0;
	sample.pid = id >> 32;
	sample.tid = (__u32)id;
	sample.cpu = bpf_get_smp_processor_id();
	/* A plain update, not __sync_fetch_and_add's result (an atomic fetch, Linux 5.12): the tests
	 * call getppid from one thread, so nothing races, and the object loads on 5.10 too. */
	sample.seq = *seq;
	*seq += 1;
	bpf_get_current_comm(sample.comm, sizeof(sample.comm));
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &sample, sizeof(sample)))
		outcome = bpf_map_lookup_elem(&output_stats, &failed_key);
	else
		outcome = bpf_map_lookup_elem(&output_stats, &ok_key);
	if (outcome)
		__sync_fetch_and_add(outcome, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
