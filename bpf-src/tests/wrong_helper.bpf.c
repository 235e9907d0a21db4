// SPDX-License-Identifier: GPL-2.0
// A tracepoint program calling a helper only networking programs have.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int write_packet_from_tracepoint(void *ctx)
{
	__u32 zero = 0;

	bpf_skb_store_bytes(ctx, 0, &zero, sizeof(zero), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
