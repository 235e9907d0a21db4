// SPDX-License-Identifier: GPL-2.0
// Reads r2, which nothing wrote: a tracepoint program starts with only r1 (ctx) and r10 set.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int read_unset_register(void)
{
	asm volatile("r0 = r2;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
