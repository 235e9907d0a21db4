/* The TCP connection tracker's map and its bookkeeping, shared by its two variants:
 * tcptrack_kprobe.bpf.c (kprobes on tcp_sendmsg / tcp_cleanup_rbuf) and tcptrack_tp.bpf.c
 * (tracepoints sock:sock_send_length / sock:sock_recv_length, for kernels without kprobes).
 * User space (jbpf tcptrack, dev.jbpf.tools.tcptrack.TcpTracker) reads `conns`; both variants remove a
 * socket's entry when it reaches TCP_CLOSE (tracepoint sock:inet_sock_set_state). */
#ifndef TCPTRACK_H
#define TCPTRACK_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TCPTRACK_AF_INET 2
#define TCPTRACK_AF_INET6 10
#define TCPTRACK_IPPROTO_TCP 6
#define TCPTRACK_TCP_CLOSE 7

/* One live TCP socket: its four-tuple as it sees it (local first) and the bytes user space
 * sent and received through it. Addresses in network byte order (IPv4 in the first 4 bytes),
 * ports in host byte order. */
struct tcp_conn {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 pad;
	__u64 tx;
	__u64 rx;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* struct sock * */
	__type(value, struct tcp_conn);
} conns SEC(".maps");

/* Adds tx/rx bytes to the socket's entry, creating it (four-tuple read from the socket with
 * CO-RE) at its first event. Non-TCP-over-IP sockets are left out by the callers. */
static __always_inline void tcptrack_count(struct sock *sk, __u64 tx, __u64 rx)
{
	__u64 key = (__u64)sk;
	struct tcp_conn *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn) {
		struct tcp_conn fresh = {};
		fresh.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (fresh.family == TCPTRACK_AF_INET) {
			BPF_CORE_READ_INTO((__u32 *)fresh.saddr, sk, __sk_common.skc_rcv_saddr);
			BPF_CORE_READ_INTO((__u32 *)fresh.daddr, sk, __sk_common.skc_daddr);
		} else if (fresh.family == TCPTRACK_AF_INET6) {
			BPF_CORE_READ_INTO(&fresh.saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
			BPF_CORE_READ_INTO(&fresh.daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		} else {
			return;
		}
		fresh.sport = BPF_CORE_READ(sk, __sk_common.skc_num);                /* host order */
		fresh.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));   /* network order */
		/* NOEXIST: when two CPUs create it at once, one wins and both add to the winner's */
		bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
		conn = bpf_map_lookup_elem(&conns, &key);
		if (!conn)
			return; /* map full */
	}
	if (tx)
		__sync_fetch_and_add(&conn->tx, tx);
	if (rx)
		__sync_fetch_and_add(&conn->rx, rx);
}

/* A TCP socket that reached TCP_CLOSE is gone for us: its memory may be reused by the next one. */
SEC("tracepoint/sock/inet_sock_set_state")
int tcptrack_close(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol != TCPTRACK_IPPROTO_TCP || ctx->newstate != TCPTRACK_TCP_CLOSE)
		return 0;
	__u64 key = (__u64)ctx->skaddr;
	bpf_map_delete_elem(&conns, &key);
	return 0;
}

#endif
