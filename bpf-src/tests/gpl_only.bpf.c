// SPDX-License-Identifier: MIT
// A non-GPL program calling bpf_probe_read_kernel, which is for GPL-compatible programs only.
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_kernel_without_gpl(void *ctx)
{
	long word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), ctx);
	return word != 0;
}

char LICENSE[] SEC("license") = "Proprietary";
