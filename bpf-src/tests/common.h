/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the deliberately broken programs of bpf-src/tests: each one is rejected by the
 * verifier for one reason, which VerifierDiagnosisTest checks jbpf names. The programs in
 * assembly (naked functions) say exactly the instructions the verifier sees. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

/* operands of the assembly: a helper's number, a map's address */
#define __imm(name) [name] "i"(name)
#define __imm_addr(name) [name] "i"(&name)
