// SPDX-License-Identifier: GPL-2.0
// The exporter load benchmark's object (bench/bench_exporter.yaml, scripts/bench-exporter.sh): one
// counter map in ebpf_exporter's style, filled from user space with 100,000 keys by the benchmark
// (ExporterBench) before 50 scrapers read it through `jbpf export`. The program only makes the
// object look like an exporter config (an attached tracepoint): it
// counts getppid calls (of any process on the machine) in a map of its own, so the exported
// values stay exactly what the benchmark wrote.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct request_key {
	__u32 id;    // label id, size 4, decoder uint
	__u32 group; // label group, size 4, decoder uint
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 131072);
	__type(key, struct request_key);
	__type(value, __u64);
} bench_requests_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} getppid_calls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&getppid_calls, &zero);

	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
