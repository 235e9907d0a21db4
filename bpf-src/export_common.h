/* SPDX-License-Identifier: GPL-2.0 */
/* What the exporter's test objects (export_*.bpf.c) share: counting into a hash map the way
 * ebpf_exporter's examples do, its exp2 bucket index, and the header a span record starts with. */
#ifndef JBPF_EXPORT_COMMON_H
#define JBPF_EXPORT_COMMON_H

/* Adds `by` to the u64 at `key`, creating it at 0 first. */
static __always_inline void add(void *map, void *key, __u64 by)
{
	__u64 zero = 0, *value = bpf_map_lookup_elem(map, key);
	if (!value) {
		bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
		value = bpf_map_lookup_elem(map, key);
		if (!value)
			return;
	}
	__sync_fetch_and_add(value, by);
}

/* ceil(log2(v)), 0 for 0 and 1: ebpf_exporter's log2l_histogram */
static __always_inline __u32 log2_ceil(__u64 v)
{
	__u32 bits = 0;
	if (v <= 1)
		return 0;
	v--;
	for (int i = 0; i < 64 && v; i++) {
		v >>= 1;
		bits++;
	}
	return bits;
}

/* The first 48 bytes of a record that jbpf export makes a span (tracing.spans), in the order the
 * labels trace_id (16 bytes, hex), parent_span_id, span_id (8, hex), span_monotonic_timestamp_ns
 * and span_duration_ns (8, uint) read them; ids are hex of the bytes as they lie in memory. */
struct export_span_header {
	__u64 trace_id_hi;
	__u64 trace_id_lo;
	__u64 parent_span_id; /* 0: a root span */
	__u64 span_id;        /* 0: the exporter makes one */
	__u64 start_ns;       /* bpf_ktime_get_ns() */
	__u64 duration_ns;
};

/* A random non-zero u64, for ids. */
static __always_inline __u64 random_id(void)
{
	return ((__u64)bpf_get_prandom_u32() << 32 | bpf_get_prandom_u32()) | 1;
}

#endif
