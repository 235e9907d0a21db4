// SPDX-License-Identifier: GPL-2.0
// Counts getppid(2) and getpid(2) calls of one process. Configured before load through .rodata,
// tuned while running through .data, read through .bss: no maps to declare.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum syscall_kind { KIND_GETPPID = 0, KIND_GETPID = 1, KIND_COUNT = 2 };

struct config {
	__u32 target_pid;
	bool count_getpid;
};

/* .rodata: set from Java before load; constants to the verifier afterwards */
const volatile struct config cfg = { .target_pid = 0, .count_getpid = false };

/* .data: what each call adds; Java may change it while the program runs */
__u64 increment = 1;

/* .bss: the counters */
__u64 getppid_calls;
__u64 calls_by_kind[KIND_COUNT];
enum syscall_kind last_kind;

static __always_inline bool ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == cfg.target_pid;
}

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	if (!ours())
		return 0;
	__sync_fetch_and_add(&getppid_calls, increment);
	__sync_fetch_and_add(&calls_by_kind[KIND_GETPPID], 1);
	last_kind = KIND_GETPPID;
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int count_getpid(void *ctx)
{
	if (!cfg.count_getpid || !ours())
		return 0;
	__sync_fetch_and_add(&calls_by_kind[KIND_GETPID], 1);
	last_kind = KIND_GETPID;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
