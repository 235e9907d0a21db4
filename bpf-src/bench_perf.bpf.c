// SPDX-License-Identifier: GPL-2.0
// Perf buffer producers for `make bench`: raw tracepoint programs (never attached; run through
// BPF_PROG_TEST_RUN with the record count as their first argument) that emit `count` samples of
// one fixed size with bpf_perf_event_output as fast as the kernel allows, counting samples the
// kernel could not write because the consumer fell behind.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} produced SEC(".maps"); /* [0] samples written, [1] samples dropped (buffer full) */

/* the sample's bytes: a per-CPU map value, as 512 bytes do not fit on the BPF stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[64]);
} scratch SEC(".maps");

static __always_inline void add(__u32 slot, __u64 amount)
{
	__u64 *counter = bpf_map_lookup_elem(&produced, &slot);
	if (counter)
		__sync_fetch_and_add(counter, amount);
}

#define PRODUCER(SIZE)                                                              \
	SEC("raw_tp")                                                               \
	int produce_##SIZE(struct bpf_raw_tracepoint_args *ctx)                     \
	{                                                                           \
		__u32 zero = 0;                                                     \
		__u64 *sample = bpf_map_lookup_elem(&scratch, &zero);               \
		__u64 written = 0, dropped = 0;                                     \
		int count = ctx->args[0], i;                                        \
		if (!sample)                                                        \
			return 0;                                                   \
		bpf_for(i, 0, count) {                                              \
			sample[0] = i;                                              \
			if (bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, \
						  sample, SIZE))                    \
				dropped++;                                          \
			else                                                        \
				written++;                                          \
		}                                                                   \
		add(0, written);                                                    \
		add(1, dropped);                                                    \
		return 0;                                                           \
	}

PRODUCER(8)
PRODUCER(64)
PRODUCER(512)

char LICENSE[] SEC("license") = "GPL";
