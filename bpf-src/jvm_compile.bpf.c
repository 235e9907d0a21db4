// SPDX-License-Identifier: GPL-2.0
// `jbpf jvm compile` (dev.jbpf.tools.jvm.JvmCompileEvents): JIT compilations of a JVM, each as it
// ends. HotSpot fires hotspot:method__compile__begin(compiler, len, class, len, method, len,
// signature, len) on the compiler thread that compiles the method and method__compile__end(the
// same, is_success) on it when done; names are internal ("java/lang/String", "hashCode", "()I").
#include "vmlinux.h"
#include "jvm.h"

#define JVM_COMPILER_LEN 16
#define JVM_METHOD_LEN 128

struct jvm_compile_event {
	__u64 start_ns;          /* bpf_ktime_get_ns() at method__compile__begin (CLOCK_MONOTONIC) */
	__u64 end_ns;            /* at method__compile__end */
	__u32 tid;               /* the compiler thread */
	__u8 success;
	__u8 pad[3];
	__u32 compiler_len;
	__u32 class_len;
	__u32 method_len;
	__u32 signature_len;
	char compiler[JVM_COMPILER_LEN];
	char class_name[JVM_NAME_LEN];
	char method[JVM_METHOD_LEN];
	char signature[JVM_NAME_LEN];
};

/* when each compiler thread began its compilation */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} compiling SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

const struct jvm_compile_event *jvm_compile_event_type __attribute__((unused));

SEC("usdt")
int BPF_USDT(jvm_compile_begin)
{
	__u32 tid = jvm_current_tid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&compiling, &tid, &now, BPF_ANY);
	return 0;
}

SEC("usdt")
int BPF_USDT(jvm_compile_end, void *compiler, long compiler_len, void *class_name, long class_len, void *method,
	     long method_len, void *signature, long signature_len, long success)
{
	__u32 tid = jvm_current_tid();
	__u64 *start = bpf_map_lookup_elem(&compiling, &tid);
	struct jvm_compile_event *e;

	if (!start)
		return 0; /* began before the programs were attached */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		jvm_count_lost();
		bpf_map_delete_elem(&compiling, &tid);
		return 0;
	}
	e->start_ns = *start;
	e->end_ns = bpf_ktime_get_ns();
	e->tid = tid;
	e->success = success != 0;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->compiler_len = jvm_read_name(e->compiler, sizeof(e->compiler), compiler, compiler_len);
	e->class_len = jvm_read_name(e->class_name, sizeof(e->class_name), class_name, class_len);
	e->method_len = jvm_read_name(e->method, sizeof(e->method), method, method_len);
	e->signature_len = jvm_read_name(e->signature, sizeof(e->signature), signature, signature_len);
	bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&compiling, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
