package dev.jbpf.perf;

import java.lang.foreign.MemorySegment;

/**
 * Receives the samples a BPF program sent with {@code bpf_perf_event_output} through a
 * {@link PerfBuffer}. Called on the thread that runs {@link PerfBuffer#poll} or {@link
 * PerfBuffer#consume}.
 *
 * <p>{@code data} points into the CPU's perf ring (or into a copy of a sample that wrapped
 * around its end), which the kernel reuses once the sample is read: it is read-only and only
 * valid during the call (using it after the poll that delivered it throws {@link
 * IllegalStateException}; the ring memory is never reused before that); copy what you
 * keep ({@code data.toArray(ValueLayout.JAVA_BYTE)}). Its size is what the kernel stored: the
 * program's bytes padded so that size + 4 is a multiple of 8, so it may be up to 7 bytes longer
 * than what the program sent. An exception thrown here is rethrown by {@code poll}/{@code
 * consume} (see {@link PerfBuffer}).
 */
@FunctionalInterface
public interface SampleHandler {
    /**
     * @param cpu the CPU whose ring the sample came from (the CPU the program ran on when it
     *     used {@code BPF_F_CURRENT_CPU})
     */
    void onSample(int cpu, MemorySegment data) throws Exception;
}
