// SPDX-License-Identifier: GPL-2.0
// cgroup_id_map of type cgrp_storage (Linux 6.2), for the tests of jbpf export
// (exporter/src/test/resources/export/export_cgroup_storage.yaml): execs counted by cgroup id,
// into one map for the cgroups whose storage in exec_cgroup_marks the exporter set to 1 (those a
// regexp of the config matches) and into another for the rest.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "export_common.h"

/* written by the exporter through an fd of each matching cgroup's directory: 1 */
struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} exec_cgroup_marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} storage_cgroup_execs_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} storage_other_cgroup_execs_total SEC(".maps");

SEC("tp_btf/sched_process_exec")
int BPF_PROG(count_storage_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct cgroup *cgroup = task->cgroups->dfl_cgrp;
	__u64 id = cgroup->kn->id;
	/* no BPF_LOCAL_STORAGE_GET_F_CREATE: a cgroup the exporter did not mark has no storage */
	__u64 *mark = bpf_cgrp_storage_get(&exec_cgroup_marks, cgroup, 0, 0);

	if (mark && *mark)
		add(&storage_cgroup_execs_total, &id, 1);
	else
		add(&storage_other_cgroup_execs_total, &id, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
