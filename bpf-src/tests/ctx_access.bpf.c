// SPDX-License-Identifier: GPL-2.0
// Writes into a tracepoint's context, which programs may only read.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int write_context(long *ctx)
{
	ctx[1] = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
