// SPDX-License-Identifier: GPL-2.0
// fentry and fexit programs (BPF trampolines) on getppid(2), and fmod_ret, for the tests. They are
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

static __always_inline void on_entry(void *ctx)
{
	bump_tid(&fentry_counts);
	store_tid(&fentry_cookies, attach_cookie(ctx));
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

char LICENSE[] SEC("license") = "GPL";

/* fmod_ret on bpf_modify_return_test (net/bpf/test_run.c), which the kernel keeps for fmod_ret
 * tests: BPF_PROG_TEST_RUN of this program calls it. Non-zero in the array: the function does
 * not run and returns that instead; 0: it runs as ever. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} modify_return_override SEC(".maps");

SEC("fmod_ret/bpf_modify_return_test")
int BPF_PROG(fmod_ret_test_function, int a, int *b, int ret)
{
	__u32 zero = 0;
	__u32 *override = bpf_map_lookup_elem(&modify_return_override, &zero);

	return override ? *override : 0;
}
