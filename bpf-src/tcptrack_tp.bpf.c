// SPDX-License-Identifier: GPL-2.0
// The TCP connection tracker without kprobes: the sock:sock_send_length and sock:sock_recv_length
// tracepoints (Linux 6.3 and later) fire in sock_sendmsg_nosec / sock_recvmsg_nosec with what the
// protocol's sendmsg/recvmsg returned, i.e. the bytes one send/write or recv/read system call (or
// an in-kernel socket user) moved. MSG_PEEK reads are left out: they do not consume the data.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tcptrack.h"

#define MSG_PEEK 2

static __always_inline int tcp_ip(struct trace_event_raw_sock_msg_length *ctx)
{
	return ctx->protocol == TCPTRACK_IPPROTO_TCP
		&& (ctx->family == TCPTRACK_AF_INET || ctx->family == TCPTRACK_AF_INET6);
}

SEC("tracepoint/sock/sock_send_length")
int tcptrack_send(struct trace_event_raw_sock_msg_length *ctx)
{
	if (ctx->ret > 0 && tcp_ip(ctx))
		tcptrack_count(ctx->sk, ctx->ret, 0);
	return 0;
}

SEC("tracepoint/sock/sock_recv_length")
int tcptrack_recv(struct trace_event_raw_sock_msg_length *ctx)
{
	if (ctx->ret > 0 && !(ctx->flags & MSG_PEEK) && tcp_ip(ctx))
		tcptrack_count(ctx->sk, 0, ctx->ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
