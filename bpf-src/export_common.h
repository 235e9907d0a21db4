/* SPDX-License-Identifier: GPL-2.0 */
/* What the exporter's test objects (export_*.bpf.c) share: counting into a hash map the way
 * ebpf_exporter's examples do, and its exp2 bucket index. */
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

#endif
