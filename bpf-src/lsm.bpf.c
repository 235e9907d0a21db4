// SPDX-License-Identifier: GPL-2.0
// A BPF LSM program for the tests: counts file_open checks of the inodes the test put in
// watched_inodes (a temporary file of its own), and allows them all. Its own object, since
// kernels without the BPF LSM refuse to load it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);   /* inode number */
	__type(value, __u64); /* opens seen */
} watched_inodes SEC(".maps");

SEC("lsm/file_open")
int BPF_PROG(count_file_open, struct file *file)
{
	__u64 inode = file->f_inode->i_ino;
	__u64 *opens = bpf_map_lookup_elem(&watched_inodes, &inode);

	if (opens)
		__sync_fetch_and_add(opens, 1);
	return 0; /* allow */
}

char LICENSE[] SEC("license") = "GPL";
