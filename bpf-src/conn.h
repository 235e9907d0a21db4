/* The key and value of conn.bpf.c's hash map; Java binds records to them through BTF. */
#ifndef CONN_H
#define CONN_H

/* The kernel's TCP states (include/net/tcp_states.h), under names of our own. */
enum conn_state {
	CONN_ESTABLISHED = 1,
	CONN_SYN_SENT = 2,
	CONN_SYN_RECV = 3,
	CONN_FIN_WAIT1 = 4,
	CONN_FIN_WAIT2 = 5,
	CONN_TIME_WAIT = 6,
	CONN_CLOSE = 7,
	CONN_CLOSE_WAIT = 8,
	CONN_LAST_ACK = 9,
	CONN_LISTEN = 10,
	CONN_CLOSING = 11,
	CONN_NEW_SYN_RECV = 12,
};

/* One TCP connection as the socket sees it: addresses in network byte order, ports in host order. */
struct conn_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
};

struct conn_stats {
	__u64 transitions;       /* state changes seen since the connection has its four-tuple */
	__u32 pid;               /* the process that called connect(2) (else: current at the first change) */
	enum conn_state state;   /* the latest state */
	char comm[16];           /* the thread that called connect(2) (else: current at the first change) */
};

#endif
