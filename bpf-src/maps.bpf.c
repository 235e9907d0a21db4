// SPDX-License-Identifier: GPL-2.0
// Maps of the common kinds, and programs that move their counters, for the tests:
// getppid(2) bumps the array, the per-CPU array, the per-pid hash and LRU hash;
// a raw tracepoint on sys_enter counts every syscall of every process in raw_counts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} percpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} lru_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);   /* tgid */
	__type(value, __u64); /* syscalls entered */
} raw_counts SEC(".maps");

static __always_inline void bump(void *map, __u32 key)
{
	__u64 one = 1, *value = bpf_map_lookup_elem(map, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 zero = 0;
	__u64 *slot;

	slot = bpf_map_lookup_elem(&array_map, &zero);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	slot = bpf_map_lookup_elem(&percpu_array, &zero);
	if (slot)
		*slot += 1; /* per-CPU: no other CPU writes this slot */
	bump(&hash_map, tgid);
	bump(&lru_map, tgid);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int count_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	bump(&raw_counts, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
