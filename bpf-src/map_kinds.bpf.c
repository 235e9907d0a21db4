// SPDX-License-Identifier: GPL-2.0
// The kernel side of the map-kind tests: each program runs on getppid(2) of ONE process
// (the tgid Java writes into target_tgid[0], so other processes' getppid calls change nothing)
// and works on one kind of map, leaving what it saw where Java can read it.
//   lpm_lookup:   looks lpm_query[0] up in the LPM trie, writes the value (or LPM_MISS) to lpm_result[0]
//   queue_stack:  pushes 1, 2, 3, ... onto `queue` and `stack`; pops one value Java pushed
//                 onto from_java and stores it in popped[n]
//   stack_id:     bpf_get_stackid of the kernel stack into `stacks`, the id into stack_ids[0]
//   map_in_map:   counts in inner[0] of the maps Java put under outer_array[1] and outer_hash[7]
//   per_cpu:      counts under the tgid in a per-CPU hash and an LRU per-CPU hash
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define LPM_MISS 0xffffffffffffffffULL
#define MAX_STACK_DEPTH 127

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* the tgid whose getppid calls count */
} target_tgid SEC(".maps");

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 data[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, __u64);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lpm_v4_key);
} lpm_query SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64); /* [0] the trie's answer or LPM_MISS, [1] lookups done */
} lpm_result SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u64);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u64);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u64);
} from_java SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64); /* [0] calls so far, [1 + n] the value popped from from_java in call n */
} popped SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64[MAX_STACK_DEPTH]);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __s64); /* [0] the last stack id (or the negative error), [1] calls */
} stack_ids SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru_percpu_hash SEC(".maps");

static __always_inline int is_target(void)
{
	__u32 zero = 0, *target = bpf_map_lookup_elem(&target_tgid, &zero);

	return target && *target == (__u32)(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void add(void *map, __u32 key, __s64 delta)
{
	__s64 *slot = bpf_map_lookup_elem(map, &key);

	if (slot)
		__sync_fetch_and_add(slot, delta);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int lpm_lookup(void *ctx)
{
	__u32 zero = 0, one = 1;
	struct lpm_v4_key *query;
	__u64 *value, answer;

	if (!is_target())
		return 0;
	query = bpf_map_lookup_elem(&lpm_query, &zero);
	if (!query)
		return 0;
	value = bpf_map_lookup_elem(&lpm, query);
	answer = value ? *value : LPM_MISS;
	bpf_map_update_elem(&lpm_result, &zero, &answer, BPF_ANY);
	add(&lpm_result, one, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int queue_stack(void *ctx)
{
	__u32 zero = 0, slot;
	__u64 *calls, seq, from;

	if (!is_target())
		return 0;
	calls = bpf_map_lookup_elem(&popped, &zero);
	if (!calls)
		return 0;
	seq = __sync_fetch_and_add(calls, 1) + 1;
	bpf_map_push_elem(&queue, &seq, BPF_ANY);
	bpf_map_push_elem(&stack, &seq, BPF_ANY);
	if (bpf_map_pop_elem(&from_java, &from) == 0 && seq < 16) {
		slot = seq;
		bpf_map_update_elem(&popped, &slot, &from, BPF_ANY);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int stack_id(void *ctx)
{
	__u32 zero = 0, one = 1;
	__s64 id;

	if (!is_target())
		return 0;
	id = bpf_get_stackid(ctx, &stacks, 0);
	bpf_map_update_elem(&stack_ids, &zero, &id, BPF_ANY);
	add(&stack_ids, one, 1);
	return 0;
}

static __always_inline void count_in_inner(void *outer, __u32 outer_key)
{
	void *inner = bpf_map_lookup_elem(outer, &outer_key);

	if (inner)
		add(inner, 0, 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int map_in_map(void *ctx)
{
	if (!is_target())
		return 0;
	count_in_inner(&outer_array, 1);
	count_in_inner(&outer_hash, 7);
	return 0;
}

static __always_inline void count_on_this_cpu(void *map, __u32 key)
{
	__u64 one = 1, *slot = bpf_map_lookup_elem(map, &key);

	if (slot)
		*slot += 1; /* this CPU's own slot: no other CPU writes it */
	else
		bpf_map_update_elem(map, &key, &one, BPF_NOEXIST);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int per_cpu(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!is_target())
		return 0;
	count_on_this_cpu(&percpu_hash, tgid);
	count_on_this_cpu(&lru_percpu_hash, tgid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
