// SPDX-License-Identifier: GPL-2.0
// Ring buffer producers for `make bench`: each program, run through BPF_PROG_TEST_RUN, emits
// `count` records of one fixed size as fast as the kernel allows (bpf_loop), counting records
// it could not reserve because the consumer fell behind.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} produced SEC(".maps"); /* [0] records submitted, [1] records dropped (ring full) */

struct produce_args {
	__u32 count;
};

/* Counted on the stack and added to the map once per run: a map update per record would
 * slow the producer more than the consumers under test. */
struct tally {
	__u64 submitted;
	__u64 dropped;
};

static __always_inline void add(__u32 slot, __u64 amount)
{
	__u64 *counter = bpf_map_lookup_elem(&produced, &slot);
	if (counter)
		__sync_fetch_and_add(counter, amount);
}

#define PRODUCER(SIZE)                                                              \
	static long emit_##SIZE(__u64 index, struct tally *tally)                   \
	{                                                                           \
		__u64 *record = bpf_ringbuf_reserve(&records, SIZE, 0);             \
		if (!record) {                                                      \
			tally->dropped++;                                           \
			return 0;                                                   \
		}                                                                   \
		record[0] = index;                                                  \
		bpf_ringbuf_submit(record, 0);                                      \
		tally->submitted++;                                                 \
		return 0;                                                           \
	}                                                                           \
	SEC("syscall")                                                              \
	int produce_##SIZE(struct produce_args *args)                               \
	{                                                                           \
		struct tally tally = {};                                            \
		bpf_loop(args->count, emit_##SIZE, &tally, 0);                      \
		add(0, tally.submitted);                                            \
		add(1, tally.dropped);                                              \
		return 0;                                                           \
	}

PRODUCER(8)
PRODUCER(64)
PRODUCER(512)

/* For the consumer's tests, not timed: record i is 8, 16 or 64 bytes by (i / 4) % 3 (runs of
 * four records of one length), and every 7th is discarded; record[0] = i. */
static long emit_mixed(__u64 index, struct tally *tally)
{
	__u64 kind = (index / 4) % 3;
	__u64 *record;

	if (kind == 0)
		record = bpf_ringbuf_reserve(&records, 8, 0);
	else if (kind == 1)
		record = bpf_ringbuf_reserve(&records, 16, 0);
	else
		record = bpf_ringbuf_reserve(&records, 64, 0);
	if (!record) {
		tally->dropped++;
		return 0;
	}
	record[0] = index;
	if (index % 7 == 6) {
		bpf_ringbuf_discard(record, 0);
		return 0;
	}
	bpf_ringbuf_submit(record, 0);
	tally->submitted++;
	return 0;
}

SEC("syscall")
int produce_mixed(struct produce_args *args)
{
	struct tally tally = {};

	bpf_loop(args->count, emit_mixed, &tally, 0);
	add(0, tally.submitted);
	add(1, tally.dropped);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
