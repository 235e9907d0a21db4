// SPDX-License-Identifier: GPL-2.0
// TCP connections established and segments retransmitted, by local and peer address, from the
// sock:inet_sock_set_state and tcp:tcp_retransmit_skb tracepoints (no kprobes or fentry). The
// tracepoints carry the addresses as network-order bytes, which the `inet_ip` decoder expects;
// their ports are already in host order. One map per address family, as the key sizes differ.
#include "vmlinux.h"
#include "exporter_maps.bpf.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

// label direction (static_map): who opened the connection
#define DIRECTION_OUTBOUND 1 // connect(): SYN_SENT -> ESTABLISHED, port is the peer's
#define DIRECTION_INBOUND 2  // accepted: SYN_RECV -> ESTABLISHED, port is the local one

// Labels in order: local_ip, peer_ip (inet_ip), port (uint), then direction or state (uint,
// static_map). The u16 fields make the keys exactly as long as the labels' sizes add up to.
struct ipv4_key {
	u8 local_ip[4];
	u8 peer_ip[4];
	u16 port;
	u16 kind; // direction (established) or TCP state (retransmits)
};

struct ipv6_key {
	u8 local_ip[16];
	u8 peer_ip[16];
	u16 port;
	u16 kind;
};

#define ADDRESS_MAP(name, key_type)                                                                    \
	struct {                                                                                           \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);                                                           \
		__uint(max_entries, 8192);                                                                     \
		__type(key, key_type);                                                                         \
		__type(value, u64);                                                                            \
	} name SEC(".maps")

ADDRESS_MAP(tcp_connections_established_ipv4_total, struct ipv4_key);
ADDRESS_MAP(tcp_connections_established_ipv6_total, struct ipv6_key);
ADDRESS_MAP(tcp_retransmits_ipv4_total, struct ipv4_key);
ADDRESS_MAP(tcp_retransmits_ipv6_total, struct ipv6_key);

// Counts one event of a connection in the map of its family. The addresses point into the
// tracepoint's record: copied with bpf_probe_read_kernel, as the verifier does not let a program
// load through a pointer into its context that carries an offset (which memcpy here compiles to).
static __always_inline void count_connection(void *ipv4_map, void *ipv6_map, u16 family,
	const u8 *local4, const u8 *peer4, const u8 *local6, const u8 *peer6, u16 port, u16 kind)
{
	if (family == AF_INET) {
		struct ipv4_key key = { .port = port, .kind = kind };

		bpf_probe_read_kernel(key.local_ip, sizeof(key.local_ip), local4);
		bpf_probe_read_kernel(key.peer_ip, sizeof(key.peer_ip), peer4);
		counter_add(ipv4_map, &key, 1);
	} else if (family == AF_INET6) {
		struct ipv6_key key = { .port = port, .kind = kind };

		bpf_probe_read_kernel(key.local_ip, sizeof(key.local_ip), local6);
		bpf_probe_read_kernel(key.peer_ip, sizeof(key.peer_ip), peer6);
		counter_add(ipv6_map, &key, 1);
	}
}

SEC("tracepoint/sock/inet_sock_set_state")
int count_established(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != IPPROTO_TCP || ctx->newstate != TCP_ESTABLISHED)
		return 0;

	u16 direction, port, sport = ctx->sport, dport = ctx->dport;

	// read both ports before choosing: a choice between the two ctx fields compiles to a pointer
	// into ctx plus an offset, which the verifier refuses to dereference
	barrier_var(sport);
	barrier_var(dport);
	if (ctx->oldstate == TCP_SYN_SENT) {
		direction = DIRECTION_OUTBOUND;
		port = dport;
	} else if (ctx->oldstate == TCP_SYN_RECV) {
		direction = DIRECTION_INBOUND;
		port = sport;
	} else {
		return 0;
	}
	count_connection(&tcp_connections_established_ipv4_total, &tcp_connections_established_ipv6_total,
		ctx->family, ctx->saddr, ctx->daddr, ctx->saddr_v6, ctx->daddr_v6, port, direction);
	return 0;
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int count_retransmit(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	// the lower of the two ports: the service's side of most connections, and it keeps the
	// clients' ephemeral ports out of the labels
	u16 sport = ctx->sport, dport = ctx->dport;

	barrier_var(sport); // as in count_established
	barrier_var(dport);
	u16 port = sport < dport ? sport : dport;

	count_connection(&tcp_retransmits_ipv4_total, &tcp_retransmits_ipv6_total,
		ctx->family, ctx->saddr, ctx->daddr, ctx->saddr_v6, ctx->daddr_v6, port, ctx->state);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
