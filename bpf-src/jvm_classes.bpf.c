// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm classes` (dev.jbpf.tools.jvm.JvmClassEvents): classes a JVM loads and unloads.
// HotSpot fires hotspot:class__loaded and class__unloaded(name, name_len, class_loader_data,
// is_shared) for each instance class (array classes have no probe); the name is the class's
// internal name ("java/lang/String"), the loader a ClassLoaderData address, is_shared true for
// a class from the CDS archive.
#include "vmlinux.h"
#include "jvm.h"

#define JVM_CLASS_LOADED 1
#define JVM_CLASS_UNLOADED 2

struct jvm_class_event {
	__u64 time_ns;      /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 loader;       /* the ClassLoaderData's address: one per class loader */
	__u32 name_len;
	__u8 kind;          /* JVM_CLASS_LOADED or JVM_CLASS_UNLOADED */
	__u8 shared;
	__u16 pad;
	char name[JVM_NAME_LEN];
};

/* startup loads hundreds of classes in a burst */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

const struct jvm_class_event *jvm_class_event_type __attribute__((unused));

static __always_inline void class_event(__u8 kind, void *name, long name_len, long loader, long shared)
{
	struct jvm_class_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		jvm_count_lost();
		return;
	}
	e->time_ns = bpf_ktime_get_ns();
	e->loader = loader;
	e->name_len = jvm_read_name(e->name, sizeof(e->name), name, name_len);
	e->kind = kind;
	e->shared = shared != 0;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

SEC("usdt")
int BPF_USDT(jvm_class_loaded, void *name, long name_len, long loader, long shared)
{
	class_event(JVM_CLASS_LOADED, name, name_len, loader, shared);
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_class_unloaded, void *name, long name_len, long loader, long shared)
{
	class_event(JVM_CLASS_UNLOADED, name, name_len, loader, shared);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
