package dev.jbpf.perf;

import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.MapMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One CPU's perf ring (a {@code bpf-output} perf event's mapping, set up by libbpf's {@code
 * perf_buffer}) read directly in Java, as the kernel's tools/lib/perf ring reader and libbpf's
 * {@code perf_event_read_simple} do: {@code data_head} of the {@code perf_event_mmap_page} read
 * with acquire, the records between {@code data_tail} and it handed over, then {@code
 * data_tail} published with release. Not API.
 *
 * <p>Owns no mapping (libbpf's {@code perf_buffer} does); its segments are scoped to the
 * PerfBuffer's shared arena, closed before libbpf unmaps, so a use after close throws instead of
 * touching unmapped memory. Owns the copy buffer for a record that wraps around the ring's end.
 */
final class PerfRing {
    /** Offsets in {@code struct perf_event_mmap_page} (uapi linux/perf_event.h). */
    private static final long DATA_HEAD = 1024;
    private static final long DATA_TAIL = 1032;
    private static final int PERF_RECORD_LOST = 2;
    private static final int PERF_RECORD_SAMPLE = 9;
    private static final int HEADER_SIZE = 8;
    /** A record's size is a u16: the longest record, and so the copy buffer of a wrapped one. */
    private static final int MAX_RECORD = 0xffff;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG_UNALIGNED = ValueLayout.JAVA_LONG_UNALIGNED;

    final int cpu;
    private final MemorySegment header;
    private final MemorySegment data;
    private final MemorySegment wrapCopy;
    private final long mask;

    /**
     * @param mapping the mapping libbpf reports ({@code perf_buffer__buffer}): one header page,
     *     then {@code dataSize} bytes of ring
     */
    PerfRing(int cpu, MemorySegment mapping, long pageSize, long dataSize, Arena arena) {
        this.cpu = cpu;
        MemorySegment all = MapMemory.view(mapping, pageSize + dataSize, arena);
        this.header = all.asSlice(0, pageSize);
        this.data = all.asSlice(pageSize, dataSize).asReadOnly();
        this.wrapCopy = arena.allocate(MAX_RECORD, 8);
        this.mask = dataSize - 1;
    }

    /**
     * Bytes read before {@code data_tail} is published: the kernel gets space back at least that
     * often, and the batch reader is called often enough (a drain of 50,000 samples is a few
     * hundred batches) that the JIT compiles it as a method early.
     */
    private static final long BATCH_BYTES = 4 << 10;

    /** How far the current consume has read ({@code data_tail} to publish). */
    private long tail;
    /** Samples handed over by the current consume. */
    private int handled;

    /** A record that wraps around the ring's end, handed over from a copy; 1 when it was a sample. */
    @SuppressWarnings("restricted")
    private int wrapped(long offset, int size, SampleHandler samples, PerfBuffer buffer) throws Exception {
        long first = data.byteSize() - offset;
        MemorySegment.copy(data, offset, wrapCopy, 0, first);
        MemorySegment.copy(data, 0, wrapCopy, first, size - first);
        int type = wrapCopy.get(INT, 0);
        if (type == PERF_RECORD_SAMPLE && size >= HEADER_SIZE + 4) {
            long length = Math.min(Integer.toUnsignedLong(wrapCopy.get(INT, HEADER_SIZE)), size - HEADER_SIZE - 4);
            try (Arena sample = Arena.ofConfined()) {
                samples.onSample(cpu, wrapCopy.asSlice(HEADER_SIZE + 4, length).asReadOnly().reinterpret(sample, null));
            }
            return 1;
        }
        if (type == PERF_RECORD_LOST && size >= HEADER_SIZE + 16) {
            buffer.lost(cpu, wrapCopy.get(LONG_UNALIGNED, HEADER_SIZE + 8));
        }
        return 0;
    }

    /**
     * Hands every record written so far to the handlers: samples to {@code samples}, loss
     * reports to {@code buffer.lost}. Each sample's segment belongs to a confined arena of its
     * own, closed when its callback returns (a segment kept past its callback throws), and
     * {@code data_tail} is published (release) after each batch of at most {@value #BATCH_BYTES}
     * bytes, so the kernel never overwrites memory a sample segment can still reach. Stops
     * after a handler failed (its record counts as read). Returns the number of samples handed
     * over.
     */
    int consume(CallbackConsumer consumer, SampleHandler samples, PerfBuffer buffer) {
        long head = (long) LONG.getAcquire(header, DATA_HEAD);
        tail = header.get(LONG_UNALIGNED, DATA_TAIL);
        handled = 0;
        while (tail < head) {
            boolean failed = false;
            try {
                readBatch(Math.min(head, tail + BATCH_BYTES), head, samples, buffer);
            } catch (Throwable t) {
                consumer.fail(t); // the record whose handler threw counts as read (tail is past it)
                failed = true;
            }
            LONG.setRelease(header, DATA_TAIL, tail);
            if (failed) {
                break;
            }
        }
        return handled;
    }

    /**
     * Reads the records from {@link #tail} up to {@code end} (a method of its own, called once
     * per batch, so that the JIT compiles it whole rather than only as an on-stack replacement
     * of a loop in a method called once per drain); {@code head} is where a corrupt ring is skipped to.
     */
    @SuppressWarnings("restricted")
    private void readBatch(long end, long head, SampleHandler samples, PerfBuffer buffer) throws Exception {
        long tail = this.tail;
        int n = 0;
        MemorySegment data = this.data; // locals: nothing reloaded per record
        long mask = this.mask;
        long ringSize = data.byteSize();
        int cpu = this.cpu;
        try {
            while (tail < end) {
                long offset = tail & mask;
                // the 8-byte header never wraps: records are 8-byte aligned in a power-of-2 ring
                long word = data.get(LONG_UNALIGNED, offset); // type (u32), misc (u16), size (u16)
                int type = (int) word;
                int size = (int) (word >>> 48);
                if (size < HEADER_SIZE) {
                    tail = head; // a corrupt ring: drop what is left rather than loop
                    break;
                }
                if (type == PERF_RECORD_SAMPLE && size >= HEADER_SIZE + 4 && offset + size <= ringSize) {
                    // samples of one size back to back (one event type per buffer, as usual): this one and
                    // those after it up to the batch's end and the ring's, in a counted loop left at the
                    // first other header; what is left here is the record-by-record path
                    int run = (int) Math.max(1, Math.min(Math.min(end - tail, ringSize - offset) / size, Integer.MAX_VALUE));
                    int taken = 0;
                    try {
                        for (int i = 0; i < run; i++) {
                            long at = offset + (long) i * size;
                            long w = data.get(LONG_UNALIGNED, at);
                            if ((int) w != PERF_RECORD_SAMPLE || (int) (w >>> 48) != size) {
                                break;
                            }
                            taken = i + 1; // before the handler: a sample whose handler throws counts as read
                            long length = Math.min(Integer.toUnsignedLong(data.get(INT, at + HEADER_SIZE)),
                                    size - HEADER_SIZE - 4);
                            try (Arena sample = Arena.ofConfined()) {
                                samples.onSample(cpu, data.asSlice(at + HEADER_SIZE + 4, length).reinterpret(sample, null));
                            }
                        }
                    } finally {
                        tail += (long) taken * size;
                        n += taken;
                    }
                    continue;
                }
                tail += size;
                if (offset + size > ringSize) {
                    n += wrapped(offset, size, samples, buffer); // a sample or loss report across the ring's end
                } else if (type == PERF_RECORD_LOST && size >= HEADER_SIZE + 16) {
                    buffer.lost(cpu, data.get(LONG_UNALIGNED, offset + HEADER_SIZE + 8));
                } // any other record type: skipped
            }
        } finally {
            this.tail = tail;
            handled += n;
        }
    }
}
