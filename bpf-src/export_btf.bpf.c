// SPDX-License-Identifier: GPL-2.0
// Maps whose keys are BTF structs, for jbpf export's labels_from_btf (beyond ebpf_exporter; the
// config is exporter/src/test/resources/export/export_btf.yaml): syscalls of the threads named
// "jbpfbtf*" by {tgid, comm, syscall} (a hole after comm: the u64 is 8-aligned), and an exp2
// histogram of getpriority(2)'s who argument by {comm, bucket} for the marker which 0x7a7b.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "export_common.h"

#define MARKER_WHICH 0x7a7b
#define MAX_BUCKET 10

struct btf_syscall_key {
	__u32 tgid;
	char comm[16];
	__u64 syscall;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct btf_syscall_key);
	__type(value, __u64);
} btf_syscalls_total SEC(".maps");

struct btf_who_key {
	char comm[16];
	__u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct btf_who_key);
	__type(value, __u64);
} btf_who_values SEC(".maps");

/* only the test's threads: counts of other processes would blur exact numbers */
static __always_inline int marked(const char *comm)
{
	return comm[0] == 'j' && comm[1] == 'b' && comm[2] == 'p' && comm[3] == 'f' && comm[4] == 'b'
	       && comm[5] == 't' && comm[6] == 'f';
}

SEC("tracepoint/raw_syscalls/sys_enter")
int btf_count_syscalls(struct trace_event_raw_sys_enter *ctx)
{
	struct btf_syscall_key key = {};

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (!marked(key.comm))
		return 0;
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.syscall = ctx->id;
	add(&btf_syscalls_total, &key, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int btf_record_who(struct syscall_trace_enter *ctx)
{
	struct btf_who_key key = {};
	__u64 who = ctx->args[1];

	if (ctx->args[0] != MARKER_WHICH)
		return 0;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	if (!marked(key.comm))
		return 0;
	key.bucket = log2_ceil(who);
	if (key.bucket > MAX_BUCKET)
		key.bucket = MAX_BUCKET;
	add(&btf_who_values, &key, 1);
	key.bucket = MAX_BUCKET + 1;
	add(&btf_who_values, &key, who);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
