// SPDX-License-Identifier: GPL-2.0
// Global variables in every kind of data section, for the tests of jbpf's GlobalVariables:
// the program counts getppid(2) calls of one process (target_pid, set before load) in .bss,
// adds `multiplier` per call to `weighted` while `enabled` (both .data, written by Java after
// load), and echoes the custom-section variables into .bss so the test sees what the kernel saw.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* .rodata: configuration, fixed at load */
const volatile int target_pid = 0;
const volatile __u64 rodata_limit = 1000;
const volatile char rodata_label[8] = "ro";

/* .data: initialised, writable from both sides */
__u32 multiplier = 1;
int enabled = 1;
char tag[16] = "initial";
bool verbose = false;
enum globals_mode { MODE_OFF = 0, MODE_COUNT = 3, MODE_TRACE = 7 } mode = MODE_COUNT;
struct globals_config {
	__u32 id;
	__u16 port;
	/* 2 bytes of padding */
	char name[8];
	__u64 limits[3];
} settings = { .id = 7, .port = 8080, .name = "cfg", .limits = { 1, 2, 3 } };
/* bitfields, a union, an anonymous struct and a 2-D array: for BTF formatting and binding */
struct globals_bits {
	unsigned int low:3;
	int signed_field:5;
	bool flag:1;
	enum globals_mode mode:4;
	union {
		__u32 as_int;
		__u8 as_bytes[4];
	} u;
	struct {
		__u16 x;
		__u16 y;
	};
	__u32 grid[2][3];
	char names[2][4];
} bits = { .low = 5, .signed_field = -3, .flag = true, .mode = MODE_TRACE, .u.as_int = 0x04030201,
	   .x = 10, .y = 20, .grid = { { 1, 2, 3 }, { 4, 5, 6 } }, .names = { "ab", "cde" } };
typedef char label_t[12];
label_t label = "typedefd";
__int128 big_signed = -2;
unsigned __int128 big_unsigned = ((unsigned __int128)1 << 100) + 5;

/* .bss: zeroed, written by the program */
__u64 hits = 0;
__u64 weighted = 0;
__u32 seen_custom_data = 0;
__u32 seen_custom_rodata = 0;
__u32 seen_data_pid = 0;

/* custom sections: one internal map each */
__u32 custom_counter SEC(".data.custom") = 5;
const volatile __u32 custom_limit SEC(".rodata.custom") = 9;

/* a section of static variables only: libbpf does not make its map mmapable */
static volatile __u32 static_step SEC(".data.statics") = 1;
__u64 static_sum = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_target(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid != target_pid)
		return 0;
	__sync_fetch_and_add(&hits, 1);
	if (enabled)
		__sync_fetch_and_add(&weighted, multiplier);
	seen_custom_data = custom_counter;
	seen_custom_rodata = custom_limit;
	seen_data_pid = tgid;
	__sync_fetch_and_add(&static_sum, static_step);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
