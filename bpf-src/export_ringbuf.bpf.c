// SPDX-License-Identifier: GPL-2.0
// A ring buffer whose records jbpf export counts (ringbuf counters, beyond ebpf_exporter; the
// config is exporter/src/test/resources/export/export_ringbuf.yaml): one struct getppid_event per
// getppid(2) call of the threads named "jbpfring*".
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct getppid_event {
	__u32 tgid;
	__u32 tid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} getppid_events SEC(".maps");

/* clang emits BTF only for types a global or a signature uses: this keeps struct getppid_event
 * in the object's BTF, where ringbuf_record finds it */
struct getppid_event *unused_getppid_event __attribute__((unused));

SEC("tracepoint/syscalls/sys_enter_getppid")
int submit_getppid(void *ctx)
{
	char comm[16];
	struct getppid_event *event;
	__u64 id = bpf_get_current_pid_tgid();

	bpf_get_current_comm(comm, sizeof(comm));
	/* only the test's threads: records of other processes would blur exact numbers */
	if (comm[0] != 'j' || comm[1] != 'b' || comm[2] != 'p' || comm[3] != 'f' || comm[4] != 'r' || comm[5] != 'i'
	    || comm[6] != 'n' || comm[7] != 'g')
		return 0;
	event = bpf_ringbuf_reserve(&getppid_events, sizeof(*event), 0);
	if (!event)
		return 0;
	event->tgid = id >> 32;
	event->tid = (__u32)id;
	__builtin_memcpy(event->comm, comm, sizeof(comm));
	bpf_ringbuf_submit(event, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
