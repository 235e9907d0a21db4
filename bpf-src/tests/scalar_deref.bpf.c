// SPDX-License-Identifier: GPL-2.0
// Dereferences a number as if it were a pointer (direct kernel reads need bpf_probe_read_kernel).
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int dereference_number(void *ctx)
{
	long *where = (long *)(long)bpf_get_prandom_u32();

	return *where != 0;
}

char LICENSE[] SEC("license") = "GPL";
