// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm monitors` (dev.jbpf.tools.jvm.JvmMonitors): contended monitor enters of a JVM, counted
// by the class of the object locked, with the time threads waited. HotSpot fires
// hotspot:monitor__contended__enter(java_tid, monitor, class, class_len) when a thread has to
// wait for a monitor another thread holds and monitor__contended__entered(the same) once it has
// it, both on the waiting thread, only when it runs with -XX:+DTraceMonitorProbes (on JDKs that
// have it, also set by -XX:+ExtendedDTraceProbes): user space checks the flag before attaching.
#include "vmlinux.h"
#include "jvm.h"

struct jvm_class_key {
	char name[JVM_KEY_LEN];  /* the internal name ("java/lang/Object"), zero-padded */
};

struct jvm_monitor_count {
	__u64 contended;         /* contended enters */
	__u64 wait_ns;           /* time from enter to entered, summed over those that got the monitor */
	__u64 max_wait_ns;
	__u64 entered;           /* contended enters that got the monitor (the others are still waiting) */
	__u32 name_len;          /* the probe's length of the name: above JVM_KEY_LEN when it was cut */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct jvm_class_key);
	__type(value, struct jvm_monitor_count);
} monitors SEC(".maps");

/* when each waiting thread began to wait */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} waiting SEC(".maps");

/* The class's counts, created at its first contended enter; NULL when the map is full. */
static __always_inline struct jvm_monitor_count *monitor_count(struct jvm_class_key *key, __u32 name_len)
{
	struct jvm_monitor_count *count = bpf_map_lookup_elem(&monitors, key);

	if (!count) {
		struct jvm_monitor_count fresh = { .name_len = name_len };

		/* NOEXIST: when two CPUs create it at once, one wins and both add to the winner's */
		bpf_map_update_elem(&monitors, key, &fresh, BPF_NOEXIST);
		count = bpf_map_lookup_elem(&monitors, key);
	}
	return count;
}

SEC("usdt")
int BPF_USDT(jvm_monitor_enter, long java_tid, void *monitor, void *class_name, long class_len)
{
	struct jvm_class_key key = {};
	__u32 name_len = jvm_read_name(key.name, sizeof(key.name), class_name, class_len);
	struct jvm_monitor_count *count = monitor_count(&key, name_len);
	__u32 tid = jvm_current_tid();
	__u64 now;

	if (!count) {
		jvm_count_lost(); /* the map is full: this contended enter is not counted */
		return 0;
	}
	__sync_fetch_and_add(&count->contended, 1);
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&waiting, &tid, &now, BPF_ANY);
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_monitor_entered, long java_tid, void *monitor, void *class_name, long class_len)
{
	__u32 tid = jvm_current_tid();
	__u64 *start = bpf_map_lookup_elem(&waiting, &tid);
	struct jvm_class_key key = {};
	struct jvm_monitor_count *count;
	__u64 waited;

	if (!start)
		return 0; /* began to wait before the programs were attached */
	waited = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&waiting, &tid);
	count = monitor_count(&key, jvm_read_name(key.name, sizeof(key.name), class_name, class_len));
	if (!count)
		return 0; /* counted as lost at its enter */
	__sync_fetch_and_add(&count->entered, 1);
	__sync_fetch_and_add(&count->wait_ns, waited);
	if (waited > count->max_wait_ns)
		count->max_wait_ns = waited; /* racy between CPUs: a maximum, not a sum */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
