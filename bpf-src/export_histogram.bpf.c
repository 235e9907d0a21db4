// SPDX-License-Identifier: GPL-2.0
// An exp2 histogram in ebpf_exporter's style, for the tests of jbpf export
// (exporter/src/test/resources/export/export_histogram.yaml): the `who` argument of the
// getpriority(2) calls whose `which` is the test's marker 0x7a7a (an invalid value: the call
// fails with EINVAL and changes nothing), by process. Bucket i counts values up to 2^i (values
// above 2^MAX_BUCKET in the last bucket); key MAX_BUCKET + 1 holds the sum of the values.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "export_common.h"

#define MARKER_WHICH 0x7a7a
#define MAX_BUCKET 10

struct bucket_key {
	__u32 tgid;
	__u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct bucket_key);
	__type(value, __u64);
} priority_who_values SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpriority")
int record_who(struct syscall_trace_enter *ctx)
{
	struct bucket_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	__u64 which = ctx->args[0];
	__u64 who = ctx->args[1];

	if (which != MARKER_WHICH)
		return 0;
	key.bucket = log2_ceil(who);
	if (key.bucket > MAX_BUCKET)
		key.bucket = MAX_BUCKET;
	add(&priority_who_values, &key, 1);
	key.bucket = MAX_BUCKET + 1;
	add(&priority_who_values, &key, who);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
