/*
 * Prints this machine's TSC rate in kHz, measured against CLOCK_MONOTONIC over 100 ms.
 * scripts/vm-run passes it to a TCG guest as tsc_early_khz: under TCG the guest's TSC is the
 * host's, and without the rate the guest kernel hangs calibrating it on qemu's microvm.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    struct timespec pause = {0, 100 * 1000 * 1000};
    double start = now();
    unsigned long long ticks = __rdtsc();
    nanosleep(&pause, NULL);
    ticks = __rdtsc() - ticks;
    printf("%.0f\n", ticks / (now() - start) / 1000);
    return 0;
}
