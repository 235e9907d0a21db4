package dev.jbpf.perf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Receives the samples a BPF program sent with {@code bpf_perf_event_output} through a
 * {@link PerfBuffer}: the zero-copy API. Called on the thread that runs {@link PerfBuffer#poll}
 * or {@link PerfBuffer#consume}.
 *
 * <p><b>Ownership: {@code data} is a view, valid only during the call.</b> It points into the
 * CPU's perf ring (or into a copy of a sample that wrapped around its end), which the kernel
 * reuses once the sample is read; it is read-only and belongs to a confined arena of its own
 * that is closed when this call returns: any use of it afterwards (kept in a field, read in a
 * later callback or after the poll) throws {@link IllegalStateException}; it never reads memory
 * the kernel may have reused, and never crashes ({@code data_tail} is published only after the
 * segments of the samples before it are dead). Copy what you keep ({@link PerfBuffer#copy}), or
 * use the copying handler, {@link #copying}. Its size is what the kernel stored: the program's
 * bytes padded so that size + 4 is a multiple of 8, so it may be up to 7 bytes longer than what
 * the program sent. An exception thrown here is rethrown by {@code poll}/{@code consume} (see
 * {@link PerfBuffer}).
 */
@FunctionalInterface
public interface SampleHandler {
    /**
     * @param cpu the CPU whose ring the sample came from (the CPU the program ran on when it
     *     used {@code BPF_F_CURRENT_CPU})
     */
    void onSample(int cpu, MemorySegment data) throws Exception;

    /** Receives each sample as a copy of its own, which the receiver keeps as long as it likes. */
    @FunctionalInterface
    interface Copied {
        void onSample(int cpu, byte[] data) throws Exception;
    }

    /**
     * The copying API: a handler that copies each sample into a new array (one allocation
     * and copy per sample) and hands that over; nothing of it refers to the ring.
     */
    static SampleHandler copying(Copied receiver) {
        Objects.requireNonNull(receiver, "receiver");
        return (cpu, data) -> receiver.onSample(cpu, data.toArray(ValueLayout.JAVA_BYTE));
    }
}
