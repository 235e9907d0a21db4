// SPDX-License-Identifier: GPL-2.0
// syscalls_by_comm_total{comm, syscall}: every system call, counted by the calling task's name
// and the syscall's number (the exporter's `syscall` decoder names it). On the
// raw_syscalls:sys_enter tracepoint, so it runs where kprobes and fentry do not.
#include "vmlinux.h"
#include "exporter_maps.bpf.h"

#define TASK_COMM_LEN 16

struct comm_syscall_key {
	char comm[TASK_COMM_LEN]; // label comm, size 16, decoder string
	u64 syscall;              // label syscall, size 8, decoders uint, syscall
};

struct {
	// LRU: a host runs more distinct (comm, syscall) pairs than any fixed map holds; the least
	// recently used pair makes room instead of the newest being dropped
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct comm_syscall_key);
	__type(value, u64);
} syscalls_by_comm_total SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscall(struct trace_event_raw_sys_enter *ctx)
{
	struct comm_syscall_key key = {};

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.syscall = ctx->id;
	counter_add(&syscalls_by_comm_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
