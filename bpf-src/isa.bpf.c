// SPDX-License-Identifier: GPL-2.0
// Instruction coverage for the decoder tests (jbpf prog dump xlated, jbpf obj dump): built with
// -mcpu=v4 (Makefile) so clang emits the newer instructions: sign-extending loads (ldsx) and
// moves (movsx), sdiv/smod, bswap, 32-bit jumps, every atomic (add/or/and/xor with and without
// fetch, xchg, cmpxchg), a BPF-to-BPF call, a kfunc call, map and global-variable addresses.
// XDP, so BPF_PROG_TEST_RUN runs it on a packet whose bytes the arithmetic depends on.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} isa_results SEC(".maps");

__u64 isa_counter = 0;       /* .bss: the atomics work on it */
__s64 isa_last_quotient = 0; /* .bss */
const volatile __s32 isa_scale = 3; /* .rodata */

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

/* A real subprogram: a pseudo call (call pc+N) in the listings. */
static __noinline __s64 scaled(__s64 value, __s32 by)
{
	return value * by + (value >> 3);
}

static void store(__u32 key, __s64 value)
{
	__s64 *slot = bpf_map_lookup_elem(&isa_results, &key);

	if (slot)
		*slot = value;
}

SEC("xdp")
int isa_mix(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 16 > data_end)
		return XDP_PASS;
	__s8 b = *(volatile __s8 *)data;                /* ldsx s8 */
	__s16 h = *(volatile __s16 *)(data + 2);       /* ldsx s16 */
	__s32 w = *(volatile __s32 *)(data + 4);       /* ldsx s32 */
	__u32 raw = *(volatile __u32 *)(data + 8);
	__s64 x = (__s64)b + h + w;
	__s64 divisor = (__s64)(__s32)(raw | 1);        /* movsx */
	__s64 quotient = x / divisor;                   /* sdiv */
	__s64 remainder = x % divisor;                  /* smod */
	__u32 swapped = __builtin_bswap32(raw);        /* bswap32 */
	__u16 port = bpf_ntohs(*(volatile __u16 *)(data + 12)); /* bswap16 */

	__sync_fetch_and_add(&isa_counter, 1);                   /* lock += */
	__u64 before = __sync_fetch_and_add(&isa_counter, 2);    /* atomic64_fetch_add */
	before += __sync_fetch_and_or(&isa_counter, 0x100);     /* atomic64_fetch_or */
	before += __sync_fetch_and_and(&isa_counter, ~0x200ULL); /* atomic64_fetch_and */
	before += __sync_fetch_and_xor(&isa_counter, 0x400);    /* atomic64_fetch_xor */
	__sync_fetch_and_or(&isa_counter, 0x800);              /* lock |= */
	before += __sync_lock_test_and_set(&isa_counter, before & 0xffff);          /* atomic64_xchg */
	before += __sync_val_compare_and_swap(&isa_counter, before & 0xffff, 7);    /* atomic64_cmpxchg */

	bpf_rcu_read_lock();   /* kfunc calls */
	bpf_rcu_read_unlock();

	isa_last_quotient = quotient;
	store(0, quotient);
	store(1, remainder);
	store(2, swapped);
	store(3, port);
	store(4, scaled(x, isa_scale));
	store(5, (__s64)before);
	if ((__s32)raw < 0)       /* a 32-bit signed jump */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
