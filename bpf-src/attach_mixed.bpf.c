// SPDX-License-Identifier: GPL-2.0
// An object only some of whose programs can attach, for the best-effort attach tests
// (cli AttachBestEffortTest): mixed_ok attaches by its section; mixed_no_tp names a tracepoint no
// kernel has; mixed_no_target names no target at all (SEC("uprobe")), so it attaches only where
// --at says. mixed_ok counts the getppid(2) calls of target_pid (every process when 0) and sends
// each one as a mixed_event record; mixed_no_target counts where it is attached.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct mixed_event {
	__u32 pid;
	__u32 seen; /* getppid calls of target_pid counted so far (this one included, others may race) */
};

const volatile __u32 target_pid = 0; /* .rodata: a map libbpf makes */
__u32 last_pid = 0;                  /* .bss: another */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);   /* 0: mixed_ok's calls, 1: mixed_no_target's */
	__type(value, __u64);
} mixed_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} mixed_events SEC(".maps");

/* keeps struct mixed_event in the BTF, for --record-type */
const struct mixed_event *unused_mixed_event __attribute__((unused));

static __always_inline __u64 count(__u32 slot)
{
	__u64 *calls = bpf_map_lookup_elem(&mixed_counts, &slot);

	if (!calls)
		return 0;
	__sync_fetch_and_add(calls, 1);
	return *calls;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int mixed_ok(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct mixed_event *event;

	if (target_pid && pid != target_pid)
		return 0;
	last_pid = pid;
	event = bpf_ringbuf_reserve(&mixed_events, sizeof(*event), 0);
	if (event) {
		event->pid = pid;
		event->seen = count(0);
		bpf_ringbuf_submit(event, 0);
	}
	return 0;
}

SEC("tracepoint/jbpf_no_such_category/jbpf_no_such_event")
int mixed_no_tp(void *ctx)
{
	return 0;
}

SEC("uprobe")
int mixed_no_target(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (!target_pid || pid == target_pid)
		count(1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
