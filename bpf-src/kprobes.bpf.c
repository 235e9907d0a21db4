// SPDX-License-Identifier: GPL-2.0
// kprobes, kretprobes, ksyscall and kprobe.multi programs for the tests (they need a kernel
// with CONFIG_KPROBES; kprobe.multi also CONFIG_FPROBE). Each counts or records per thread id.
// The programs with a bare section ("kprobe") are attached explicitly (Kprobe, KprobeMulti);
// those naming their function are attached by section (BpfProgram.attach()).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tracing_common.h"

TID_MAP(kprobe_counts, __u64);
TID_MAP(kprobe_cookies, __u64);
TID_MAP(kretprobe_counts, __u64);
TID_MAP(kretprobe_returns, __u64);
TID_MAP(section_counts, __u64);
TID_MAP(section_returns, __u64);
TID_MAP(ksyscall_counts, __u64);
TID_MAP(multi_counts, __u64);
TID_MAP(multi_cookies, __u64);

SEC("kprobe")
int count_kprobe(struct pt_regs *ctx)
{
	bump_tid(&kprobe_counts);
	store_tid(&kprobe_cookies, attach_cookie(ctx));
	return 0;
}

SEC("kretprobe")
int record_kretprobe(struct pt_regs *ctx)
{
	bump_tid(&kretprobe_counts);
	store_tid(&kretprobe_returns, PT_REGS_RC(ctx));
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int count_getppid_by_section(struct pt_regs *ctx)
{
	bump_tid(&section_counts);
	return 0;
}

SEC("kretprobe/__x64_sys_getppid")
int getppid_return_by_section(struct pt_regs *ctx)
{
	store_tid(&section_returns, PT_REGS_RC(ctx));
	return 0;
}

SEC("ksyscall/getppid")
int BPF_KSYSCALL(count_getppid_ksyscall)
{
	bump_tid(&ksyscall_counts);
	return 0;
}

SEC("kprobe.multi")
int count_kprobe_multi(struct pt_regs *ctx)
{
	bump_tid(&multi_counts);
	store_tid(&multi_cookies, attach_cookie(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
