// SPDX-License-Identifier: GPL-2.0
// USDT programs for the tests: record the arguments of the jbpf:tick probe that
// test-programs/trace_target.c fires (index i, value 0x5eed0000 + i), with the attach cookie;
// count the hits of each process and link (the pid filter tests).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

struct tick {
	__u64 value;  /* the probe's second argument */
	__u64 cookie; /* bpf_usdt_cookie() */
	__u32 pid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* the probe's first argument */
	__type(value, struct tick);
} ticks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct tick);
} section_ticks SEC(".maps");

static __always_inline void record(void *map, struct pt_regs *ctx, long index, long value)
{
	__u64 key = index;
	struct tick tick = {
		.value = value,
		.cookie = bpf_usdt_cookie(ctx),
		.pid = bpf_get_current_pid_tgid() >> 32,
	};

	bpf_map_update_elem(map, &key, &tick, BPF_ANY);
}

SEC("usdt")
int BPF_USDT(record_tick, long index, long value)
{
	record(&ticks, ctx, index, value);
	return 0;
}

/* A bare program name: libbpf finds it on PATH, which the test points at build/test-bin. */
SEC("usdt/trace_target:jbpf:tick")
int BPF_USDT(record_tick_by_section, long index, long value)
{
	record(&section_ticks, ctx, index, value);
	return 0;
}

/* (cookie << 32 | pid) -> hits: which processes each link (told apart by its cookie) saw */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} tick_hits SEC(".maps");

SEC("usdt")
int count_tick(struct pt_regs *ctx)
{
	__u64 key = bpf_usdt_cookie(ctx) << 32 | (bpf_get_current_pid_tgid() >> 32);
	__u64 one = 1, *hits = bpf_map_lookup_elem(&tick_hits, &key);

	if (hits)
		__sync_fetch_and_add(hits, 1);
	else
		bpf_map_update_elem(&tick_hits, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
