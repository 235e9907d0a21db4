// SPDX-License-Identifier: GPL-2.0
// Writes below the 512-byte stack.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int write_below_stack(void)
{
	asm volatile("r1 = 0;"
		     "*(u64 *)(r10 - 520) = r1;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
