// SPDX-License-Identifier: GPL-2.0
// Indexes a map value with an index the program never bounds.
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} table SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int index_without_bounds(void *ctx)
{
	__u32 zero = 0;
	__u64 *row = bpf_map_lookup_elem(&table, &zero);
	__u32 index = bpf_get_prandom_u32();

	if (!row)
		return 0;
	row[index] += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
