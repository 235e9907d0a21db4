// SPDX-License-Identifier: GPL-2.0
// Reserves ring buffer space and never submits or discards it.
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int reserve_and_forget(void *ctx)
{
	__u64 *slot = bpf_ringbuf_reserve(&events, sizeof(*slot), 0);

	if (!slot)
		return 0;
	*slot = bpf_get_current_pid_tgid();
	return 0; /* neither bpf_ringbuf_submit nor bpf_ringbuf_discard */
}

char LICENSE[] SEC("license") = "GPL";
