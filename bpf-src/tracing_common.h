/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the tracing test programs: counters keyed by thread id, so that a test counts
 * exactly the calls its own thread made, whatever else the machine runs. */
#ifndef JBPF_TRACING_COMMON_H
#define JBPF_TRACING_COMMON_H

#include <bpf/bpf_core_read.h>

#define TID_MAP(map_name, value_type)            \
	struct {                                     \
		__uint(type, BPF_MAP_TYPE_HASH);         \
		__uint(max_entries, 4096);               \
		__type(key, __u32);                      \
		__type(value, value_type);               \
	} map_name SEC(".maps")

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void bump_tid(void *map)
{
	__u32 tid = current_tid();
	__u64 one = 1, *count = bpf_map_lookup_elem(map, &tid);

	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(map, &tid, &one, BPF_NOEXIST);
}

static __always_inline void store_tid(void *map, __u64 value)
{
	__u32 tid = current_tid();

	bpf_map_update_elem(map, &tid, &value, BPF_ANY);
}

/* The attachment's cookie (bpf_get_attach_cookie, Linux 5.15), or 0 where the kernel lacks the
 * helper: libbpf resolves the enum check against the kernel's BTF at load, so an older kernel's
 * verifier never sees the call and the program still loads and counts (the tests that read
 * cookies skip there, by the ATTACH_COOKIES probe). */
static __always_inline __u64 attach_cookie(void *ctx)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_attach_cookie))
		return bpf_get_attach_cookie(ctx);
	return 0;
}

#endif
