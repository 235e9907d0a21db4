/* The record opensnoop.bpf.c sends through its ring buffer; Java reads the same layout. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define TASK_COMM_LEN 16
#define FILENAME_LEN 256

struct open_event {
	__u32 pid;   /* tgid: the process */
	__u32 tid;   /* the thread */
	__u32 uid;
	__s32 flags; /* openat's flags argument */
	char comm[TASK_COMM_LEN];
	char filename[FILENAME_LEN];
};

#endif
