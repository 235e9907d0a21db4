// SPDX-License-Identifier: GPL-2.0
// The process the uprobe and USDT tests trace (built into build/test-bin/trace_target, no PIE,
// so that its virtual addresses differ from its file offsets). Usage: trace_target N
// Prints "ready", waits for a line on stdin (so the test can attach first), then N times:
// fires the USDT probe jbpf:tick(i, 0x5eed0000 + i), calls jbpf_target_add(i, 1000) and
// jbpf_target_branch(i & 1); prints the sum of what the functions returned and exits 0.
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

__attribute__((noinline, used)) long jbpf_target_add(long a, long b)
{
	__asm__ volatile("" ::: "memory"); /* keep the call: the test probes it */
	return a + b;
}

/* int jbpf_target_branch(int x): offset 0 runs on every call, offset 4 only when x != 0
 * (written in assembly so that the offset is known). Returns x. */
__asm__(".text\n"
	".globl jbpf_target_branch\n"
	".type jbpf_target_branch, @function\n"
	"jbpf_target_branch:\n"
	"	test %edi, %edi\n" /* 2 bytes */
	"	jz 1f\n"           /* 2 bytes */
	"	nop\n"             /* offset 4 */
	"1:	mov %edi, %eax\n"
	"	ret\n"
	".size jbpf_target_branch, .-jbpf_target_branch\n");
int jbpf_target_branch(int x);

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;
	char line[64];
	long sum = 0;

	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (long i = 0; i < n; i++) {
		DTRACE_PROBE2(jbpf, tick, i, 0x5eed0000L + i);
		sum += jbpf_target_add(i, 1000);
		sum += jbpf_target_branch((int)(i & 1));
	}
	printf("%ld\n", sum);
	return 0;
}
