// SPDX-License-Identifier: GPL-2.0
// Reads 8 bytes past the end of an 8-byte map value.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
__naked int read_past_value_end(void)
{
	asm volatile("r1 = 0;"
		     "*(u32 *)(r10 - 4) = r1;"
		     "r2 = r10;"
		     "r2 += -4;"
		     "r1 = %[values] ll;"
		     "call %[bpf_map_lookup_elem];"
		     "if r0 == 0 goto l0_%=;"
		     "r1 = *(u64 *)(r0 + 8);"
		     "l0_%=: r0 = 0;"
		     "exit;"
		     :: __imm_addr(values), __imm(bpf_map_lookup_elem) : __clobber_all);
}

char LICENSE[] SEC("license") = "GPL";
