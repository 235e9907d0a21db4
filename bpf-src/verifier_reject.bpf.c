// SPDX-License-Identifier: GPL-2.0
// A program the verifier must reject: it dereferences a map value without the NULL check.
// Tests use it to prove that the verifier's reason reaches the user.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int unchecked_lookup(void *ctx)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&slots, &zero);
	*slot += 1; /* R0 may be NULL: the verifier refuses this */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
