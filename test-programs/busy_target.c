// SPDX-License-Identifier: GPL-2.0
// The process the profiler test samples (build/test-bin/busy_target): spins for SECONDS seconds
// (default 3) in jbpf_busy_spin, called through jbpf_busy_outer, so a profile of it shows
// main;jbpf_busy_outer;jbpf_busy_spin. Prints "ready" first and the loop's result last.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

__attribute__((noinline, used)) unsigned long jbpf_busy_spin(unsigned long rounds)
{
	unsigned long x = 1;

	for (unsigned long i = 0; i < rounds; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

__attribute__((noinline, used)) unsigned long jbpf_busy_outer(double seconds)
{
	double end = now() + seconds;
	unsigned long sum = 0;

	while (now() < end)
		sum += jbpf_busy_spin(1000000);
	return sum;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;

	printf("ready\n");
	fflush(stdout);
	printf("%lu\n", jbpf_busy_outer(seconds));
	return 0;
}
