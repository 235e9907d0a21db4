// SPDX-License-Identifier: GPL-2.0
// Programs for BPF_PROG_TEST_RUN tests (BpfProgram.testRun): an XDP program whose verdict and
// output depend on the packet's first byte, a raw tracepoint program that adds its context's
// two arguments and records the CPU it ran on, a syscall program that writes its context, and
// a tracepoint program (a type that cannot be test-run).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define DROP_MARK 0xde  /* first byte 0xde: XDP_DROP */
#define STRIP_MARK 0xad /* first byte 0xad: strip the first 2 bytes (bpf_xdp_adjust_head), XDP_PASS */
/* anything else: byte 1 := ~byte 0, XDP_TX */

SEC("xdp")
int xdp_mark(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;

	if (data + 2 > data_end)
		return XDP_ABORTED;
	if (data[0] == DROP_MARK)
		return XDP_DROP;
	if (data[0] == STRIP_MARK) {
		if (bpf_xdp_adjust_head(ctx, 2))
			return XDP_ABORTED;
		return XDP_PASS;
	}
	data[1] = ~data[0];
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32); /* CPU of the last run */
} last_cpu SEC(".maps");

SEC("raw_tp")
int add_args(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id();

	bpf_map_update_elem(&last_cpu, &zero, &cpu, BPF_ANY);
	return (int)(ctx->args[0] + ctx->args[1]);
}

/* A syscall program's context is the caller's memory: the kernel copies it back after the run. */
struct sum_args {
	__u64 a;
	__u64 b;
	__u64 sum;
};

SEC("syscall")
int sum_in_context(struct sum_args *args)
{
	args->sum = args->a + args->b;
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int not_test_runnable(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
