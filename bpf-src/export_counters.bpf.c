// SPDX-License-Identifier: GPL-2.0
// Counters in ebpf_exporter's style (u64 values, keys its label decoders read), for the tests of
// jbpf export (exporter/src/test/resources/export/export_counters.yaml): syscalls by process and
// number, getpriority(2) errors by errno, TCP connects by destination, getppid(2) calls of the
// threads named "jbpfexp*" by comm and cgroup, per CPU, and at a kaddrs address.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "export_common.h"

#define AF_INET 2
#define TCP_SYN_SENT 2

struct syscall_key {
	__u32 tgid;
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_key);
	__type(value, __u64);
} syscalls_total SEC(".maps");

struct errno_key {
	__u32 tgid;
	__u32 err;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct errno_key);
	__type(value, __u64);
} priority_errors_total SEC(".maps");

struct connect_key {
	__u8 daddr[4];
	__u16 family;     /* decoded by uint + static_map */
	__u16 family_hex; /* the same, decoded by hex */
	__u16 dport;
	__u16 pad;        /* the label's padding */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct connect_key);
	__type(value, __u64);
} connects_total SEC(".maps");

struct comm_key {
	char comm[16];
	__u64 cgroup;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct comm_key);
	__type(value, __u64);
} comm_getppid_total SEC(".maps");

/* no labels: one u32 key 0; the metric name lacks _total on purpose (exposed as written) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} marked_getppid_calls SEC(".maps");

/* per CPU, with ebpf_exporter's cpu label */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} marked_getppid_by_cpu_total SEC(".maps");

/* per CPU, summed: keyed by tgid */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} percpu_getppid_total SEC(".maps");

/* set by the exporter from config kaddrs */
const volatile __u64 kaddr___x64_sys_getppid = 0;

struct ksym_key {
	__u64 addr;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ksym_key);
	__type(value, __u64);
} ksym_getppid_total SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int count_syscalls(struct trace_event_raw_sys_enter *ctx)
{
	struct syscall_key key = {
		.tgid = bpf_get_current_pid_tgid() >> 32,
		.nr = (__u32)ctx->id,
	};
	add(&syscalls_total, &key, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_getpriority")
int count_priority_errors(struct syscall_trace_exit *ctx)
{
	struct errno_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	if (ctx->ret >= 0)
		return 0;
	key.err = (__u32)-ctx->ret;
	add(&priority_errors_total, &key, 1);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int count_connects(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct connect_key key = {};
	if (ctx->newstate != TCP_SYN_SENT || ctx->family != AF_INET)
		return 0;
	__builtin_memcpy(key.daddr, ctx->daddr, 4);
	key.family = ctx->family;
	key.family_hex = ctx->family;
	key.dport = ctx->dport;
	add(&connects_total, &key, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
	struct comm_key key = {};
	struct ksym_key ksym = { .addr = kaddr___x64_sys_getppid, .tgid = bpf_get_current_pid_tgid() >> 32 };
	__u32 zero = 0;

	add(&ksym_getppid_total, &ksym, 1);
	add(&percpu_getppid_total, &ksym.tgid, 1);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	/* only the test's threads named jbpfexp...: counts of other processes would blur exact numbers */
	if (key.comm[0] != 'j' || key.comm[1] != 'b' || key.comm[2] != 'p' || key.comm[3] != 'f'
	    || key.comm[4] != 'e' || key.comm[5] != 'x' || key.comm[6] != 'p')
		return 0;
	key.cgroup = bpf_get_current_cgroup_id();
	add(&comm_getppid_total, &key, 1);
	add(&marked_getppid_calls, &zero, 1);
	add(&marked_getppid_by_cpu_total, &zero, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
