/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the JVM tools' programs (bpf-src/jvm_*.bpf.c; Java: dev.jbpf.tools.jvm, `jbpf jvm ...`).
 * They attach to HotSpot's USDT probes (provider hotspot, in libjvm.so) of one process; user space
 * gives each program its probe and the process id when it attaches, so no program filters by pid.
 *
 * HotSpot passes names as a pointer and a length, not as C strings: most are a Symbol's bytes,
 * which have no NUL after them. jvm_read_name copies at most the field's size and the records keep
 * the probe's length beside the bytes (a length above the field's size: the name was cut). */
#ifndef JBPF_JVM_H
#define JBPF_JVM_H

#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

/* Class, method and thread names in records and map keys. */
#define JVM_NAME_LEN 256
/* Class names as map keys (allocations, monitors): a shorter key hashes faster on hot probes. */
#define JVM_KEY_LEN 128

/* Records the ring buffer had no room for, and map entries that did not fit; user space reads them
 * from .bss and reports them. */
__u64 lost = 0;

static __always_inline void jvm_count_lost(void)
{
	__sync_fetch_and_add(&lost, 1);
}

/* Copies min(len, size) bytes of a probe's name argument into dst and returns the length to record
 * beside them: the probe's (more than size when the name was cut), or 0 when nothing could be read.
 * size must be a constant: the verifier checks the copy against it. */
static __always_inline __u32 jvm_read_name(char *dst, __u32 size, const void *src, long len)
{
	__u32 n = len <= 0 ? 0 : (len > size ? size : (__u32)len);

	if (n == 0 || bpf_probe_read_user(dst, n, src) != 0)
		return 0;
	return len > 0xffff ? 0xffff : (__u32)len;
}

static __always_inline __u32 jvm_current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

#endif
