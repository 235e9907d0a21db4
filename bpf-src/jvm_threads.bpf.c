// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm threads` (dev.jbpf.tools.jvm.JvmThreadEvents): Java threads starting and stopping.
// HotSpot fires hotspot:thread__start and thread__stop(name, name_len, java_tid, native_tid,
// is_daemon) on the thread itself, as it starts running Java code and as it exits.
#include "vmlinux.h"
#include "jvm.h"

#define JVM_THREAD_START 1
#define JVM_THREAD_STOP 2

struct jvm_thread_event {
	__u64 time_ns;      /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 java_id;      /* java.lang.Thread's id (getId(), threadId()) */
	__u64 native_tid;   /* the thread's id in the kernel (gettid) as HotSpot knows it */
	__u32 name_len;
	__u8 kind;          /* JVM_THREAD_START or JVM_THREAD_STOP */
	__u8 daemon;
	__u16 pad;
	char name[JVM_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

const struct jvm_thread_event *jvm_thread_event_type __attribute__((unused));

static __always_inline void thread_event(__u8 kind, void *name, long name_len, long java_id, long native_tid, long daemon)
{
	struct jvm_thread_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		jvm_count_lost();
		return;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->java_id = java_id;
	e->native_tid = native_tid;
	e->name_len = jvm_read_name(e->name, sizeof(e->name), name, name_len);
	e->kind = kind;
	e->daemon = daemon != 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

SEC("usdt")
int BPF_USDT(jvm_thread_start, void *name, long name_len, long java_id, long native_tid, long daemon)
{
	thread_event(JVM_THREAD_START, name, name_len, java_id, native_tid, daemon);
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_thread_stop, void *name, long name_len, long java_id, long native_tid, long daemon)
{
	thread_event(JVM_THREAD_STOP, name, name_len, java_id, native_tid, daemon);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
