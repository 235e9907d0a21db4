// SPDX-License-Identifier: GPL-2.0
// Calls helper number 10000, which no kernel has.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int call_helper_from_the_future(void)
{
	asm volatile("call 10000;"
		     "r0 = 0;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
