// SPDX-License-Identifier: GPL-2.0
// The guide's production tuning patterns (part 6) as programs to measure side by side: each
// counts one event per run, so BPF_PROG_TEST_RUN with a repeat count (XDP: the only context
// here that takes one) and the kernel's BPF statistics give the cost per event of each pattern.
//
// 6.1 Reduce map look-ups: per-key byte and packet counters kept
//   - split:  in two hash maps, two look-ups per event (stats_bytes, stats_packets);
//   - merged: in one hash map whose value holds both, one look-up (stats_merged).
// 6.2 Per-CPU maps instead of atomics on a shared value:
//   - shared_atomic: one array slot every CPU adds to with a locked add (shared_counter);
//   - percpu:        a per-CPU array slot, a plain add on this CPU's copy (percpu_counter).
// count_nothing, which returns at once, gives the floor: the cost of running any program with
// statistics on (two clock reads and the run counter). Every program returns XDP_PASS. The key is the packet's first byte, so one test input hits
// one key (as one process or flow would).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct tcp_stats {
	__u64 bytes;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} stats_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} stats_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct tcp_stats);
} stats_merged SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} shared_counter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} percpu_counter SEC(".maps");

/* The first byte of the packet, the event's key; -1 for an empty packet. */
static __always_inline int event_key(struct xdp_md *ctx, __u32 *key)
{
	__u8 *data = (void *)(long)ctx->data;
	if (data + 1 > (__u8 *)(long)ctx->data_end)
		return -1;
	*key = data[0];
	return 0;
}

/* Adds to the key's value, creating it at the first event. Atomic: test runs may be concurrent
 * (and when two CPUs create the entry at once, the loser adds to the winner's). */
static __always_inline void add_to(void *map, __u32 *key, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(map, key);
	if (!value) {
		if (!bpf_map_update_elem(map, key, &amount, BPF_NOEXIST))
			return;
		value = bpf_map_lookup_elem(map, key);
		if (!value)
			return;
	}
	__sync_fetch_and_add(value, amount);
}

SEC("xdp")
int count_split(struct xdp_md *ctx)
{
	__u32 key;
	if (event_key(ctx, &key))
		return XDP_PASS;
	add_to(&stats_bytes, &key, ctx->data_end - ctx->data);
	add_to(&stats_packets, &key, 1);
	return XDP_PASS;
}

SEC("xdp")
int count_merged(struct xdp_md *ctx)
{
	__u32 key;
	if (event_key(ctx, &key))
		return XDP_PASS;
	__u64 length = ctx->data_end - ctx->data;
	struct tcp_stats *stats = bpf_map_lookup_elem(&stats_merged, &key);
	if (!stats) {
		struct tcp_stats fresh = { .bytes = length, .packets = 1 };
		if (!bpf_map_update_elem(&stats_merged, &key, &fresh, BPF_NOEXIST))
			return XDP_PASS;
		stats = bpf_map_lookup_elem(&stats_merged, &key);
		if (!stats)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&stats->bytes, length);
	__sync_fetch_and_add(&stats->packets, 1);
	return XDP_PASS;
}

SEC("xdp")
int count_shared_atomic(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&shared_counter, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return XDP_PASS;
}

SEC("xdp")
int count_percpu(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&percpu_counter, &zero);
	if (count)
		(*count)++; /* this CPU's own copy, and a program is not preempted on its CPU: no atomic needed */
	return XDP_PASS;
}

SEC("xdp")
int count_nothing(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
