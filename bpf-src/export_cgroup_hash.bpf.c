// SPDX-License-Identifier: GPL-2.0
// cgroup_id_map of type hash, for the tests of jbpf export
// (exporter/src/test/resources/export/export_cgroup_hash.yaml): execs counted by cgroup id, into
// one map for the cgroups the exporter put in exec_cgroups (those a regexp of the config
// matches) and into another for the rest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "export_common.h"

/* filled by the exporter: cgroup id (inode of the cgroup's directory) -> 1 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} exec_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} cgroup_execs_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} other_cgroup_execs_total SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int count_cgroup_exec(void *ctx)
{
	__u64 id = bpf_get_current_cgroup_id();

	if (bpf_map_lookup_elem(&exec_cgroups, &id))
		add(&cgroup_execs_total, &id, 1);
	else
		add(&other_cgroup_execs_total, &id, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
