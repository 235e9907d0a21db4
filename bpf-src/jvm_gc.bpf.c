// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm gc` (dev.jbpf.tools.jvm.JvmGcEvents): one record per garbage collection pause of a JVM.
// HotSpot fires hotspot:gc__begin(bool full) and gc__end() around each collection in a
// safepoint (its SvcGCMarker), on the thread that collects; in between, each memory manager that
// collects (a GarbageCollectorMXBean: "G1 Young Generation", "MarkSweepCompact", ...) fires
// mem__pool__gc__begin(manager, manager_len, pool, pool_len, init, used, committed, max) for every
// memory pool before it collects and mem__pool__gc__end(...) for every pool after. The record
// gathers the first manager's name and the pools' usage before and after; it goes to the ring
// buffer at gc__end.
#include "vmlinux.h"
#include "jvm.h"

#define JVM_GC_NAME_LEN 48
#define JVM_GC_POOLS 12

struct jvm_gc_pool {
	char name[JVM_GC_NAME_LEN];
	__u32 name_len;          /* the probe's length of the name (jvm.h) */
	__u32 pad;
	__u64 used_before;
	__u64 used_after;
	__u64 committed_after;
	__u64 max_after;         /* (size_t)-1: no maximum */
};

struct jvm_gc_event {
	__u64 start_ns;          /* bpf_ktime_get_ns() at gc__begin (CLOCK_MONOTONIC) */
	__u64 end_ns;            /* at gc__end */
	__u32 tid;               /* the thread that collected (HotSpot's VM thread) */
	__u8 full;               /* gc__begin's argument: a full collection */
	__u8 pools_begun;        /* pools[0, pools_begun) have used_before */
	__u8 pools_ended;        /* pools[0, pools_ended) have the after values */
	__u8 pad;
	__u32 manager_len;       /* 0: no memory manager reported this collection */
	char manager[JVM_GC_NAME_LEN];
	struct jvm_gc_pool pools[JVM_GC_POOLS];
};

/* the collection in progress on each thread, from gc__begin to gc__end */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct jvm_gc_event);
} collecting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* a zero record, the start of each collection's (too big for the stack) */
const struct jvm_gc_event empty_gc_event = {};

SEC("usdt")
int BPF_USDT(jvm_gc_begin, long full)
{
	__u32 tid = jvm_current_tid();
	struct jvm_gc_event *e;

	if (bpf_map_update_elem(&collecting, &tid, &empty_gc_event, BPF_ANY))
		return 0;
	e = bpf_map_lookup_elem(&collecting, &tid);
	if (!e)
		return 0;
	e->tid = tid;
	e->full = full != 0;
	e->start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_gc_pool_begin, void *manager, long manager_len, void *pool, long pool_len, long init, long used,
	     long committed, long max)
{
	__u32 tid = jvm_current_tid();
	struct jvm_gc_event *e = bpf_map_lookup_elem(&collecting, &tid);
	__u32 i;

	/* only the first manager of a collection (a serial young collection that turns full has two) */
	if (!e || e->pools_ended)
		return 0;
	i = e->pools_begun;
	if (i >= JVM_GC_POOLS)
		return 0;
	if (i == 0) {
		e->manager_len = jvm_read_name(e->manager, sizeof(e->manager), manager, manager_len);
	}
	e->pools[i].name_len = jvm_read_name(e->pools[i].name, sizeof(e->pools[i].name), pool, pool_len);
	e->pools[i].used_before = used;
	e->pools_begun = i + 1;
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_gc_pool_end, void *manager, long manager_len, void *pool, long pool_len, long init, long used,
	     long committed, long max)
{
	__u32 tid = jvm_current_tid();
	struct jvm_gc_event *e = bpf_map_lookup_elem(&collecting, &tid);
	__u32 i;

	if (!e)
		return 0;
	/* HotSpot ends the pools in the order it began them */
	i = e->pools_ended;
	if (i >= e->pools_begun || i >= JVM_GC_POOLS)
		return 0;
	e->pools[i].used_after = used;
	e->pools[i].committed_after = committed;
	e->pools[i].max_after = max;
	e->pools_ended = i + 1;
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_gc_end)
{
	__u32 tid = jvm_current_tid();
	struct jvm_gc_event *e = bpf_map_lookup_elem(&collecting, &tid);

	if (!e)
		return 0; /* began before the programs were attached */
	e->end_ns = bpf_ktime_get_ns();
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0))
		jvm_count_lost();
	bpf_map_delete_elem(&collecting, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
