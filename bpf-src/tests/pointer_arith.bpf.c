// SPDX-License-Identifier: GPL-2.0
// Moves a map pointer before passing it to a helper: map pointers are not for arithmetic.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int offset_map_pointer(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[values] ll;"
		     "r1 += 8;"
		     "call %[bpf_map_lookup_elem];"
		     "r0 = 0;"
		     "exit;"
		     :: __imm_addr(values), __imm(bpf_map_lookup_elem) : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
