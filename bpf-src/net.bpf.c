// SPDX-License-Identifier: GPL-2.0
// Networking programs for the tests of the XDP, TC and cgroup attach points. Each program
// bumps its own slot of the `counters` array, so a test reads what the kernel ran:
// XDP on a veth end (count, or drop everything), TC classifiers for ingress and egress,
// cgroup_skb ingress/egress counting packets and bytes of a cgroup's sockets, and a
// cgroup/sock_create program that denies (and counts) socket creation.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum counter {
	XDP_PACKETS = 0,
	XDP_DROPPED = 1,
	TC_INGRESS_PACKETS = 2,
	TC_EGRESS_PACKETS = 3,
	CGROUP_INGRESS_PACKETS = 4,
	CGROUP_INGRESS_BYTES = 5,
	CGROUP_EGRESS_PACKETS = 6,
	CGROUP_EGRESS_BYTES = 7,
	SOCKETS_DENIED = 8,
	CGROUP_SKB_PACKETS = 9,
	COUNTERS = 16,
};

/* TC_ACT_UNSPEC (= TCX_NEXT): let the next program or the default action decide */
#define TC_NEXT -1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void add(__u32 slot, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &slot);

	if (value)
		__sync_fetch_and_add(value, amount);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	add(XDP_PACKETS, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	add(XDP_DROPPED, 1);
	return XDP_DROP;
}

/* "tc": a classifier without a direction, for ingress or egress, tcx or clsact */
SEC("tc")
int tc_ingress_count(struct __sk_buff *skb)
{
	add(TC_INGRESS_PACKETS, 1);
	return TC_NEXT;
}

SEC("tcx/egress")
int tc_egress_count(struct __sk_buff *skb)
{
	add(TC_EGRESS_PACKETS, 1);
	return TC_NEXT;
}

SEC("cgroup_skb/ingress")
int cgroup_ingress_count(struct __sk_buff *skb)
{
	add(CGROUP_INGRESS_PACKETS, 1);
	add(CGROUP_INGRESS_BYTES, skb->len);
	return 1; /* allow */
}

SEC("cgroup_skb/egress")
int cgroup_egress_count(struct __sk_buff *skb)
{
	add(CGROUP_EGRESS_PACKETS, 1);
	add(CGROUP_EGRESS_BYTES, skb->len);
	return 1;
}

/* no direction in the section: the attach type must be given when attaching */
SEC("cgroup/skb")
int cgroup_skb_count(struct __sk_buff *skb)
{
	add(CGROUP_SKB_PACKETS, 1);
	return 1;
}

SEC("cgroup/sock_create")
int deny_socket_create(struct bpf_sock *sk)
{
	add(SOCKETS_DENIED, 1);
	return 0; /* deny: socket(2) fails with EPERM */
}

char LICENSE[] SEC("license") = "GPL";
