// SPDX-License-Identifier: GPL-2.0
// A binary whose USDT probes cover what `jbpf usdt list` shows (built, PIE, into
// build/test-bin/usdt_target; the listing tests read it and never need to run it): two
// providers, a probe without arguments, one name at two call sites, and a semaphore for every
// probe (a semaphore is per file: <sys/sdt.h> gives all the probes of a file one or none;
// trace_target's probe has none). Running it fires each probe once and exits 0.
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* <sys/sdt.h> names the semaphore of PROVIDER:NAME PROVIDER_NAME_semaphore; tracers increment it */
#define SEMAPHORE(provider, name) \
	unsigned short provider##_##name##_semaphore __attribute__((section(".probes"), used))

SEMAPHORE(jbpf_demo, start);
SEMAPHORE(jbpf_demo, step);
SEMAPHORE(jbpf_other, done);

int main(int argc, char **argv)
{
	(void)argv;
	DTRACE_PROBE(jbpf_demo, start);
	for (int i = 0; i < argc; i++)
		DTRACE_PROBE2(jbpf_demo, step, i, argc);
	DTRACE_PROBE2(jbpf_demo, step, -1, argc); /* a second call site of the same probe */
	DTRACE_PROBE1(jbpf_other, done, argc);
	return 0;
}
