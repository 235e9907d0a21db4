// SPDX-License-Identifier: GPL-2.0
// An ebpf_exporter-style XDP config (ExportXdpCliTest): the section names the interface
// (xdp/lo), a form libbpf does not know and jbpf export attaches as ebpf_exporter does.
// Counts the IPv4 packets lo receives, by IP protocol (anything else under 256).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);   /* label protocol, size 8: uint, static_map */
	__type(value, __u64);
} xdp_packets_total SEC(".maps");

SEC("xdp/lo")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 proto = 256, one = 1, *count;

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(0x0800))
		proto = ip->protocol;
	count = bpf_map_lookup_elem(&xdp_packets_total, &proto);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&xdp_packets_total, &proto, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
