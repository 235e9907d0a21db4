// SPDX-License-Identifier: GPL-2.0
// The kernel side of the user ring buffer test: on getppid(2) of the process whose tgid Java
// wrote into target_tgid[0], drain every sample Java submitted to user_rb (bpf_user_ringbuf_drain)
// and copy each sample's first 8 bytes into received[1 + n], in the order they arrive;
// received[0] counts the samples, drains[0] the drain calls and drains[1] the last result.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_SAMPLES 64

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096 * 4);
} user_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_tgid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 + MAX_SAMPLES);
	__type(key, __u32);
	__type(value, __u64);
} received SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64);
} drains SEC(".maps");

static long on_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u32 zero = 0, slot;
	__u64 value, *count;

	if (bpf_dynptr_read(&value, sizeof(value), sample, 0, 0))
		return 1; /* shorter than 8 bytes: stop draining */
	count = bpf_map_lookup_elem(&received, &zero);
	if (!count || *count >= MAX_SAMPLES)
		return 1;
	slot = 1 + *count;
	bpf_map_update_elem(&received, &slot, &value, BPF_ANY);
	*count += 1;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int drain_user_rb(void *ctx)
{
	__u32 zero = 0, one = 1, *target = bpf_map_lookup_elem(&target_tgid, &zero);
	__s64 result, *calls;

	if (!target || *target != (__u32)(bpf_get_current_pid_tgid() >> 32))
		return 0;
	result = bpf_user_ringbuf_drain(&user_rb, on_sample, NULL, 0);
	calls = bpf_map_lookup_elem(&drains, &zero);
	if (calls)
		__sync_fetch_and_add(calls, 1);
	bpf_map_update_elem(&drains, &one, &result, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
