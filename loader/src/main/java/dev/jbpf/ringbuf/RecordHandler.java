package dev.jbpf.ringbuf;

import java.lang.foreign.MemorySegment;

/**
 * Receives the records of one ring buffer map. Called on the thread that runs {@link
 * RingBuffer#poll} or {@link RingBuffer#consume}.
 *
 * <p>The record segment points into the ring buffer's shared memory, which the kernel
 * reuses once the callback returns: it is read-only, its size is the record's, and it is only
 * valid during the call (using it afterwards throws {@link IllegalStateException}). Copy what
 * you keep ({@link RingBuffer#copy}). An exception thrown here stops the poll and is rethrown
 * by {@code poll}/{@code consume}; the record that failed counts as consumed.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record) throws Exception;
}
