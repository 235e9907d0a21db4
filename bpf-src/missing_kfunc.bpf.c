// SPDX-License-Identifier: GPL-2.0
// Calls a kernel function (kfunc) no kernel has: libbpf cannot resolve the extern and the load
// fails before the kernel sees the program. jbpf must name the function (cli LoadErrorsTest).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern void jbpf_no_such_kfunc(void) __ksym;

SEC("tracepoint/syscalls/sys_enter_getppid")
int calls_missing_kfunc(void *ctx)
{
	jbpf_no_such_kfunc();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
