// SPDX-License-Identifier: GPL-2.0
// Every exec on the machine: one record per exec through a ring buffer, and per (uid, command)
// how many execs there were, the last pid and when the first was seen, in a hash map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define COMM_LEN 16
#define FILENAME_LEN 128

struct exec_event {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	char comm[COMM_LEN];
	char filename[FILENAME_LEN];
};

struct exec_key {
	__u32 uid;
	char comm[COMM_LEN];
};

struct exec_stats {
	__u64 count;
	__u32 last_pid;
	__u64 first_seen_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exec_key);
	__type(value, struct exec_stats);
} execs SEC(".maps");

/* Keeps struct exec_event in the object's BTF: the ring buffer map does not name its record. */
const struct exec_event *unused_exec_event __attribute__((unused));

SEC("tp/sched/sched_process_exec")
int trace_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_key key = {};
	struct exec_stats *stats, fresh = {};
	unsigned int filename_offset = ctx->__data_loc_filename & 0xFFFF;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	key.uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	stats = bpf_map_lookup_elem(&execs, &key);
	if (stats) {
		__sync_fetch_and_add(&stats->count, 1);
		stats->last_pid = pid;
	} else {
		fresh.count = 1;
		fresh.last_pid = pid;
		fresh.first_seen_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&execs, &key, &fresh, BPF_NOEXIST);
	}

	struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = key.uid;
	__builtin_memcpy(e->comm, key.comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + filename_offset);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
