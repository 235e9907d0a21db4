// SPDX-License-Identifier: GPL-2.0
// Passes the context as bpf_map_lookup_elem's key, which must point to stack or map memory.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int context_as_key(void *ctx)
{
	__u64 *value = bpf_map_lookup_elem(&values, ctx);

	return value ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";
