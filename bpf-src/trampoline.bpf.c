// SPDX-License-Identifier: GPL-2.0
// fentry, fexit and fmod_ret programs (BPF trampolines) on getppid(2), for the tests. They are
// in their own object because kernels without trampoline support refuse to LOAD them, which
// must not stop the other objects from loading. The kernel's entry of getppid is
// __x64_sys_getppid where its BTF has it, else __do_sys_getppid (SYSCALL_DEFINE0's body on
// newer kernels); both take the pt_regs pointer. The test loads only the variant its kernel has.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tracing_common.h"

TID_MAP(fentry_counts, __u64);
TID_MAP(fentry_cookies, __u64);
TID_MAP(fexit_counts, __u64);
TID_MAP(fexit_returns, __u64);
/* fmod_ret: the value getppid() returns to the thread that the test put in this map. */
TID_MAP(fmod_ret_overrides, __u64);

static __always_inline void on_entry(void *ctx)
{
	bump_tid(&fentry_counts);
	store_tid(&fentry_cookies, bpf_get_attach_cookie(ctx));
}

static __always_inline void on_exit(long ret)
{
	bump_tid(&fexit_counts);
	store_tid(&fexit_returns, ret);
}

SEC("fentry/__x64_sys_getppid")
int BPF_PROG(fentry_getppid_wrapper, const struct pt_regs *regs)
{
	on_entry(ctx);
	return 0;
}

SEC("fentry/__do_sys_getppid")
int BPF_PROG(fentry_getppid_body, const struct pt_regs *regs)
{
	on_entry(ctx);
	return 0;
}

SEC("fexit/__x64_sys_getppid")
int BPF_PROG(fexit_getppid_wrapper, const struct pt_regs *regs, long ret)
{
	on_exit(ret);
	return 0;
}

SEC("fexit/__do_sys_getppid")
int BPF_PROG(fexit_getppid_body, const struct pt_regs *regs, long ret)
{
	on_exit(ret);
	return 0;
}

/* Only functions on the kernel's error-injection list may be modified: the syscall wrappers are. */
SEC("fmod_ret/__x64_sys_getppid")
int BPF_PROG(fmod_ret_getppid, const struct pt_regs *regs, long ret)
{
	__u32 tid = current_tid();
	__u64 *override = bpf_map_lookup_elem(&fmod_ret_overrides, &tid);

	return override ? (int)*override : 0; /* non-zero: skip getppid, return this instead */
}

char LICENSE[] SEC("license") = "GPL";
