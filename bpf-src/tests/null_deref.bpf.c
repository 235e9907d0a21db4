// SPDX-License-Identifier: GPL-2.0
// Uses a map value without checking bpf_map_lookup_elem's NULL.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int use_before_null_check(void *ctx)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&values, &key);

	*value += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
