// SPDX-License-Identifier: GPL-2.0
// The sampling profiler behind `jbpf profile`: a perf_event program run on each sample of a
// per-CPU clock (cpu-clock, or cycles where a PMU exists). It counts samples per (process,
// thread name, kernel stack, user stack); the stacks themselves go to a stack-trace map,
// which Java reads by id and symbolises.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_STACK_DEPTH 127 /* the kernel's PERF_MAX_STACK_DEPTH */

/* 0: every process (but the idle task); otherwise the only process sampled. Set before load. */
const volatile __u32 target_tgid = 0;

struct sample_key {
	__u32 tgid;
	__s32 kernel_stack; /* stack id, or a negative errno when there is none (e.g. -EFAULT) */
	__s32 user_stack;
	__u32 pad;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 40960);
	__type(key, struct sample_key);
	__type(value, __u64); /* samples */
} counts SEC(".maps");

/* [0] samples taken, [1] samples dropped because counts was full */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static __always_inline void total(__u32 slot)
{
	__u64 *value = bpf_map_lookup_elem(&totals, &slot);

	if (value)
		*value += 1;
}

SEC("perf_event")
int sample_stack(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sample_key key = {};
	__u64 one = 1, *count;

	key.tgid = id >> 32;
	if ((__u32)id == 0) /* the idle task */
		return 0;
	if (target_tgid && key.tgid != target_tgid)
		return 0;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.kernel_stack = bpf_get_stackid(ctx, &stacks, 0);
	key.user_stack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	total(0);
	count = bpf_map_lookup_elem(&counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
		count = bpf_map_lookup_elem(&counts, &key); /* another CPU made it first, or full */
		if (count)
			__sync_fetch_and_add(count, 1);
		else
			total(1);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
