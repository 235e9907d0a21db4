// SPDX-License-Identifier: GPL-2.0
// Reads the Ethernet header without comparing against data_end first.
#include "common.h"

SEC("xdp")
int read_unchecked_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	return eth->h_proto == 0x0008 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
