// SPDX-License-Identifier: GPL-2.0
// Instructions after the exit that no jump reaches.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int dead_code(void)
{
	asm volatile("r0 = 0;"
		     "exit;"
		     "r0 = 1;"
		     "exit;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
