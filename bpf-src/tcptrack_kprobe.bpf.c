// SPDX-License-Identifier: GPL-2.0
// The TCP connection tracker of the guide's case study (part 8), on kprobes:
// - TX: tcp_sendmsg. Its size argument is what the caller asked to send; a non-blocking socket
//   may send less, so the entry probe remembers the socket per thread and the return probe adds
//   what tcp_sendmsg returned.
// - RX: tcp_cleanup_rbuf(sk, copied), which tcp_recvmsg calls once with the bytes it copied to
//   user space. (Reads with a low-water mark above 1 byte, SO_RCVLOWAT or MSG_WAITALL, also call
//   it with partial counts before they sleep; those reads would be counted more than once.)
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tcptrack.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);   /* pid_tgid of the sending thread */
	__type(value, __u64); /* struct sock * */
} sending SEC(".maps");

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(tcptrack_sendmsg, struct sock *sk)
{
	__u64 thread = bpf_get_current_pid_tgid();
	__u64 sock = (__u64)sk;
	bpf_map_update_elem(&sending, &thread, &sock, BPF_ANY);
	return 0;
}

SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(tcptrack_sendmsg_return, int sent)
{
	__u64 thread = bpf_get_current_pid_tgid();
	__u64 *sock = bpf_map_lookup_elem(&sending, &thread);
	if (!sock)
		return 0;
	struct sock *sk = (struct sock *)*sock;
	bpf_map_delete_elem(&sending, &thread);
	if (sent > 0)
		tcptrack_count(sk, sent, 0);
	return 0;
}

SEC("kprobe/tcp_cleanup_rbuf")
int BPF_KPROBE(tcptrack_cleanup_rbuf, struct sock *sk, int copied)
{
	if (copied > 0)
		tcptrack_count(sk, 0, copied);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
