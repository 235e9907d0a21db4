// SPDX-License-Identifier: GPL-2.0
// TCP state changes per IPv4 connection, in a hash map with a struct key and a struct value
// (see conn.h), from the sock/inet_sock_set_state tracepoint. Tests read it as Java records.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "conn.h"

#define AF_INET 2
#define IPPROTO_TCP 6

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct conn_key);
	__type(value, struct conn_stats);
} conns SEC(".maps");

/* The task that called connect(2), by socket: later state changes run in softirq context,
 * where the current task may be any other. */
struct owner {
	__u32 pid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* struct sock * */
	__type(value, struct owner);
} owners SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int track_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->family != AF_INET || ctx->protocol != IPPROTO_TCP)
		return 0;

	__u64 sk = (__u64)ctx->skaddr;
	if (ctx->newstate == CONN_SYN_SENT) {
		/* connect(2) itself: the connecting task is current */
		struct owner me = { .pid = bpf_get_current_pid_tgid() >> 32 };
		bpf_get_current_comm(me.comm, sizeof(me.comm));
		bpf_map_update_elem(&owners, &sk, &me, BPF_ANY);
	}
	if (ctx->sport == 0 || ctx->dport == 0)
		goto out; /* no four-tuple yet (connect picks the source port after SYN_SENT) */

	struct conn_key key = {};
	__builtin_memcpy(&key.saddr, ctx->saddr, 4);
	__builtin_memcpy(&key.daddr, ctx->daddr, 4);
	key.sport = ctx->sport;
	key.dport = ctx->dport;

	struct conn_stats *stats = bpf_map_lookup_elem(&conns, &key);
	if (stats) {
		__sync_fetch_and_add(&stats->transitions, 1);
		stats->state = ctx->newstate;
		goto out;
	}
	struct conn_stats fresh = { .transitions = 1, .state = ctx->newstate };
	struct owner *owner = bpf_map_lookup_elem(&owners, &sk);
	if (owner) {
		fresh.pid = owner->pid;
		__builtin_memcpy(fresh.comm, owner->comm, sizeof(fresh.comm));
	} else {
		fresh.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	}
	bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
out:
	if (ctx->newstate == CONN_CLOSE)
		bpf_map_delete_elem(&owners, &sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
