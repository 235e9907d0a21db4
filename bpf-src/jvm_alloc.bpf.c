// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm alloc` (dev.jbpf.tools.jvm.JvmAllocations): objects a JVM allocates, counted by class
// in the kernel. HotSpot fires hotspot:object__alloc(java_tid, class, class_len, bytes) for each
// allocation only when it runs with -XX:+DTraceAllocProbes (on JDKs that have it, also set by
// -XX:+ExtendedDTraceProbes), which makes every allocation call into the VM: user space checks
// the flag before attaching.
#include "vmlinux.h"
#include "jvm.h"

struct jvm_class_key {
	char name[JVM_KEY_LEN];  /* the internal name ("java/lang/String", "[I"), zero-padded */
};

struct jvm_alloc_count {
	__u64 count;
	__u64 bytes;
	__u32 name_len;          /* the probe's length of the name: above JVM_KEY_LEN when it was cut */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct jvm_class_key);
	__type(value, struct jvm_alloc_count);
} allocations SEC(".maps");

SEC("usdt")
int BPF_USDT(jvm_object_alloc, long java_tid, void *class_name, long class_len, long bytes)
{
	struct jvm_class_key key = {};
	struct jvm_alloc_count *count;
	__u32 name_len = jvm_read_name(key.name, sizeof(key.name), class_name, class_len);

	count = bpf_map_lookup_elem(&allocations, &key);
	if (!count) {
		struct jvm_alloc_count fresh = { .name_len = name_len };

		/* NOEXIST: when two CPUs create it at once, one wins and both add to the winner's */
		bpf_map_update_elem(&allocations, &key, &fresh, BPF_NOEXIST);
		count = bpf_map_lookup_elem(&allocations, &key);
		if (!count) {
			jvm_count_lost(); /* the map is full */
			return 0;
		}
	}
	__sync_fetch_and_add(&count->count, 1);
	__sync_fetch_and_add(&count->bytes, bytes);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
