// SPDX-License-Identifier: GPL-2.0
// Exits without setting r0, the return value.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int exit_without_r0(void)
{
	asm volatile("r1 = 0;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
