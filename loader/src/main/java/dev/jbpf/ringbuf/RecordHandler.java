package dev.jbpf.ringbuf;

import java.lang.foreign.MemorySegment;

/**
 * Receives the records of one ring buffer map. Called on the thread that runs {@link
 * RingBuffer#poll} or {@link RingBuffer#consume}.
 *
 * <p>The record segment points into the ring buffer's shared memory, which the kernel
 * reuses once the record is consumed: it is read-only, its size is the record's, and it is only
 * valid during the call. It stops working (throws {@link IllegalStateException}) at the latest
 * when the poll that delivered it returns; the kernel never reuses the memory before that.
 * Copy what you keep ({@link RingBuffer#copy}). An exception thrown here stops the poll and is rethrown
 * by {@code poll}/{@code consume}; the record that failed counts as consumed.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record) throws Exception;
}
