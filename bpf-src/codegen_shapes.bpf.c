// SPDX-License-Identifier: GPL-2.0
// Type shapes for the skeleton generator's tests (codegen/): nested structs, arrays, strings and
// bytes, enums, unions, bitfields, pointers, typedef chains, anonymous members, flexible arrays,
// Java keywords as names; and a program that writes known values for the end-to-end test.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum shape_color { COLOR_RED = 1, COLOR_GREEN = 2, COLOR_BLUE = 4 };
enum shape_big { BIG_ONE = 1, BIG_HUGE = 0x100000000ULL }; /* 64-bit: ENUM64 */
typedef enum { MODE_A = 0, MODE_B = 7 } shape_mode_t;

struct shape_point {
	__s32 x;
	__s32 y;
};

typedef struct shape_point shape_point_t;
typedef shape_point_t shape_point_alias_t; /* a typedef of a typedef of a struct */

typedef struct {
	__u16 lo;
	__u16 hi;
} shape_pair_t; /* a typedef of an anonymous struct */

struct shape_value {
	__u64 id;
	char name[16];              /* String */
	__u8 addr[4];               /* byte[] */
	__u32 grid[2][3];           /* int[][] */
	struct shape_point points[2];
	shape_point_alias_t origin; /* typedef chain to the same struct */
	shape_pair_t pair;
	enum shape_color color;
	enum shape_big big;
	shape_mode_t mode;
	union {
		__u32 as_int;
		__u8 as_bytes[4];
	} overlay;                  /* named member of an anonymous union type */
	struct {
		__u16 width;
		__u16 height;
	};                          /* anonymous struct member: flattened */
	union {
		__u32 raw_flags;
		float ratio;
	};                          /* anonymous union member: flattened */
	unsigned int low:3;
	int negative:5;
	enum shape_color tint:4;
	bool enabled;
	double weight;
	__u32 class;                /* Java keywords */
	__u32 new;
	__u32 default_value;
	void *where;
	int (*callback)(int);
	__int128 huge;
};

struct shape_key {
	__u32 this;
	char comm[8];
};

struct shape_event {
#ifndef SHAPES_V2
	__u32 pid;
	__u32 seq;
#else
	__u32 seq;                  /* codegen_shapes_v2.bpf.c: pid moved (the layout-mismatch test) */
	__u32 pid;
#endif
	char comm[16];
	__u32 len;
	__u8 data[];                /* flexible array: not mapped */
};

/* a struct named like one of the skeleton's own methods and nested types */
struct opened {
	__u32 load;
	__u32 close;
};

/* names Java reserves, and anonymous types inside arrays and two deep */
enum shape_word { value = 1, other = 2 };     /* a constant named like the Java enum's field */
enum shape_keyword { native = 1, plain = 2 }; /* a Java keyword as a constant: kept as its integer */

struct shape_names {
	__u32 wait;                 /* record components may not be named like Object's methods */
	__u32 hash_code;
	__u32 to_string;
	enum shape_word word;
	enum shape_keyword keyword;
	enum { ANON_ONE = 1, ANON_TWO } anon; /* an anonymous enum: int */
	struct {
		struct {
			__u8 depth;
		} inner;
	} outer;                    /* anonymous types two deep */
	struct {
		__u16 a;
	} items[2];                 /* an array of an anonymous struct */
	char lines[2][4];           /* String[] */
	void *slots[2];             /* long[] */
	long double wide;           /* 8 bytes on BPF: a double */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct shape_key);
	__type(value, struct shape_value);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct opened);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, struct shape_point);
} points SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

const volatile __u32 target_pid = 0;       /* .rodata */
const volatile char greeting[8] = "hello";  /* .rodata */
__u32 multiplier = 3;                       /* .data */
__u64 hits;                                 /* .bss */
struct shape_point last_point;              /* .bss, a struct */
__u32 package;                              /* a Java keyword as a global's name */
struct shape_names names;                   /* .bss */

const struct shape_event *unused_shape_event __attribute__((unused));

SEC("tp/syscalls/sys_enter_getppid")
int write_shapes(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct shape_key key = { .this = 7, .comm = "shapes" };
	struct shape_value value = {};
	struct shape_point point = { .x = -1, .y = 2 };

	if (pid != target_pid)
		return 0;
	__u64 n = __sync_fetch_and_add(&hits, 1) + 1;
	value.id = n * multiplier;
	__builtin_memcpy(value.name, "shape", 6);
	value.addr[0] = 127;
	value.addr[3] = 1;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			value.grid[i][j] = i * 10 + j;
	value.points[1].x = 5;
	value.points[1].y = -6;
	value.origin.x = 9;
	value.pair.hi = 0xbeef;
	value.color = COLOR_BLUE;
	value.big = BIG_HUGE;
	value.mode = MODE_B;
	value.overlay.as_int = 0x01020304;
	value.width = 640;
	value.height = 480;
	value.raw_flags = 0x80000001;
	value.low = 5;
	value.negative = -3;
	value.tint = COLOR_GREEN;
	value.enabled = true;
	value.class = 11;
	value.new = 12;
	value.default_value = 13;
	value.huge = -2;
	bpf_map_update_elem(&values, &key, &value, BPF_ANY);
	bpf_map_push_elem(&points, &point, BPF_ANY);
	names.wait = 21;
	names.hash_code = 22;
	names.word = other;
	names.keyword = native;
	names.anon = ANON_TWO;
	names.outer.inner.depth = 23;
	names.items[1].a = 24;
	__builtin_memcpy(names.lines[1], "abc", 4);
	last_point = point;

	struct shape_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->seq = n;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->len = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
