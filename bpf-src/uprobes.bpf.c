// SPDX-License-Identifier: GPL-2.0
// uprobe, uretprobe and uprobe.multi programs for the tests, counting or recording per thread
// id. Bare sections ("uprobe") are attached explicitly (Uprobe, UprobeMulti); those naming a
// binary and function ("uprobe/libc.so.6:getppid") are attached by section.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tracing_common.h"

TID_MAP(uprobe_counts, __u64);
TID_MAP(uprobe_cookies, __u64);
TID_MAP(uretprobe_counts, __u64);
TID_MAP(uretprobe_returns, __u64);
TID_MAP(section_counts, __u64);
TID_MAP(section_returns, __u64);
TID_MAP(multi_section_counts, __u64);

/* uprobe.multi: calls per (thread, cookie), so one link on several functions is told apart. */
struct multi_key {
	__u32 tid;
	__u32 pad;
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct multi_key);
	__type(value, __u64);
} multi_counts SEC(".maps");

SEC("uprobe")
int count_uprobe(struct pt_regs *ctx)
{
	bump_tid(&uprobe_counts);
	store_tid(&uprobe_cookies, attach_cookie(ctx));
	return 0;
}

SEC("uretprobe")
int record_uretprobe(struct pt_regs *ctx)
{
	bump_tid(&uretprobe_counts);
	store_tid(&uretprobe_returns, PT_REGS_RC(ctx));
	return 0;
}

SEC("uprobe.multi")
int count_uprobe_multi(struct pt_regs *ctx)
{
	struct multi_key key = { .tid = current_tid(), .cookie = attach_cookie(ctx) };
	__u64 one = 1, *count = bpf_map_lookup_elem(&multi_counts, &key);

	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&multi_counts, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("uprobe/libc.so.6:getppid")
int count_getppid_by_section(struct pt_regs *ctx)
{
	bump_tid(&section_counts);
	return 0;
}

SEC("uretprobe/libc.so.6:getppid")
int getppid_return_by_section(struct pt_regs *ctx)
{
	store_tid(&section_returns, PT_REGS_RC(ctx));
	return 0;
}

SEC("uprobe.multi/libc.so.6:getpp*")
int count_getppid_multi_by_section(struct pt_regs *ctx)
{
	bump_tid(&multi_section_counts);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
