// SPDX-License-Identifier: GPL-2.0
// Map helpers for the exporter examples, in the conventions of Cloudflare's ebpf_exporter (which
// `jbpf export` reads): a metric is a map of the same name, its values are u64 counters, and a
// histogram's key ends with a u64 `bucket` whose bucket_max + 1 entry holds the sum of the values.
#ifndef EXPORTER_MAPS_BPF_H
#define EXPORTER_MAPS_BPF_H

#include <bpf/bpf_helpers.h>

// Adds `delta` to the counter at `key`, creating it at 0 first: BPF_NOEXIST, because another CPU
// may create it between the lookup and the update, and its count must not be overwritten.
static __always_inline void counter_add(void *map, const void *key, u64 delta)
{
	u64 *count = bpf_map_lookup_elem(map, key);

	if (!count) {
		u64 zero = 0;

		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
		count = bpf_map_lookup_elem(map, key);
		if (!count)
			return; // the map is full
	}
	__sync_fetch_and_add(count, delta);
}

// The exp2 bucket of `value`: the smallest i with value <= 2^i (0 and 1 both land in 0), so that
// bucket i is the Prometheus bucket le="2^i * bucket_multiplier".
static __always_inline u64 exp2_bucket(u64 value)
{
	if (value <= 1)
		return 0;
	// ceil(log2(v)) = floor(log2(v - 1)) + 1 for v >= 2; floor(log2) by halving the shift
	u64 rest = value - 1, floor_log2 = 0;
#pragma unroll
	for (int shift = 32; shift > 0; shift /= 2) {
		if (rest >> shift) {
			rest >>= shift;
			floor_log2 += shift;
		}
	}
	return floor_log2 + 1;
}

// Counts `value` in its exp2 bucket (the last, bucket_max, takes everything above it) and adds it
// to the sum entry bucket_max + 1. KEY is a struct lvalue whose last field is `u64 bucket`.
#define exp2_histogram_observe(map, key, value, bucket_max)                                            \
	do {                                                                                               \
		u64 observed_ = (value);                                                                       \
		u64 bucket_ = exp2_bucket(observed_);                                                          \
		(key).bucket = bucket_ > (bucket_max) ? (bucket_max) : bucket_;                                \
		counter_add(map, &(key), 1);                                                                   \
		(key).bucket = (bucket_max) + 1;                                                               \
		counter_add(map, &(key), observed_);                                                           \
	} while (0)

#endif
