package dev.jbpf.ringbuf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Receives the records of one ring buffer map: the zero-copy API. Called on the thread that
 * runs {@link RingBuffer#poll} or {@link RingBuffer#consume}.
 *
 * <p><b>Ownership: the record is a view, valid only during the call.</b> The segment points
 * into the ring buffer's shared memory, which the kernel reuses once the record is consumed;
 * it is read-only and its size is the record's. It belongs to a confined arena of its own that
 * is closed when this call returns: any use of it afterwards (kept in a field, read in a later
 * callback or after the poll) throws {@link IllegalStateException}; it never reads memory the
 * kernel may have reused, and never crashes. The consumer position is published only after the
 * segments of the records before it are dead. Copy what you keep ({@link RingBuffer#copy}), or
 * use the copying handler, {@link #copying}, which hands each record over as its own array.
 *
 * <p>An exception thrown here stops the poll and is rethrown by {@code poll}/{@code consume};
 * the record that failed counts as consumed.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record) throws Exception;

    /** Receives each record as a copy of its own, which the receiver keeps as long as it likes. */
    @FunctionalInterface
    interface Copied {
        void onRecord(byte[] record) throws Exception;
    }

    /**
     * The copying API: a handler that copies each record into a new array (one allocation
     * and copy per record) and hands that over; nothing of it refers to the ring.
     */
    static RecordHandler copying(Copied receiver) {
        Objects.requireNonNull(receiver, "receiver");
        return record -> receiver.onRecord(record.toArray(ValueLayout.JAVA_BYTE));
    }
}
