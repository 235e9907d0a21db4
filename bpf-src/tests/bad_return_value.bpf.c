// SPDX-License-Identifier: GPL-2.0
// A cgroup socket program must return 0 (deny) or 1 (allow); this one returns 7.
#include "common.h"

SEC("cgroup/sock_create")
int return_seven(struct bpf_sock *sk)
{
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
