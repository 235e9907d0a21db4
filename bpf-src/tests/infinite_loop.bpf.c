// SPDX-License-Identifier: GPL-2.0
// A loop that never ends: the same state comes back at its head.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int spin_forever(void)
{
	asm volatile("r0 = 0;"
		     "l0_%=: r0 &= 1;"
		     "goto l0_%=;" ::: __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
