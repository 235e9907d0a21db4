// SPDX-License-Identifier: GPL-2.0
// A loop of ten million iterations: the verifier walks each one and gives up at its
// limit of a million instructions.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_to_ten_million(void *ctx)
{
	__u32 key = 0;
	__u64 sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 10000000; i++)
		sum += i ^ (sum >> 3);
	bpf_map_update_elem(&values, &key, &sum, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
