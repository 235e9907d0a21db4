// SPDX-License-Identifier: GPL-2.0
// Traces a kernel function no kernel has: libbpf finds no BTF id for the fentry target and the
// load fails with ESRCH. jbpf must name the function (cli LoadErrorsTest).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry/jbpf_no_such_function")
int BPF_PROG(on_missing_function)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
