package dev.jbpf.ringbuf;

import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.LibC;
import dev.jbpf.internal.MapMemory;
import dev.jbpf.map.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One BPF ring buffer map read directly from its memory mappings, as libbpf's ringbuf.c does:
 * the consumer page (read-write, where we publish how far we have read) and the producer page
 * followed by the data area mapped twice in a row, so that a record that wraps around the end
 * of the ring is still contiguous. Not API.
 *
 * <p>Owns its two mappings; {@link #unmap()} releases them (the RingBuffer calls it once no
 * thread reads the ring). The segments are scoped to the RingBuffer's arena, so that a use
 * after close throws instead of touching unmapped memory.
 */
final class MappedRing {
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER_SIZE = 8;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final RecordHandler handler;
    private final MapMemory.Mapping consumerMapping;
    private final MapMemory.Mapping producerMapping;
    private final MemorySegment consumerPage;
    private final MemorySegment producerPage;
    private final MemorySegment data;
    private final MemorySegment readOnlyData;
    private final long mask;
    /**
     * A quarter of the ring, at most 256 KiB: the producer gets space back at least that often
     * while we read, and the batch reader is called often enough to be compiled as a method.
     */
    private final long batchBytes;

    private MappedRing(RecordHandler handler, MapMemory.Mapping consumerMapping, MapMemory.Mapping producerMapping,
            long pageSize, long ringSize, Arena arena) {
        this.handler = handler;
        this.consumerMapping = consumerMapping;
        this.producerMapping = producerMapping;
        this.consumerPage = consumerMapping.segment(arena);
        this.producerPage = producerMapping.segment(arena);
        this.data = producerPage.asSlice(pageSize);
        this.readOnlyData = data.asReadOnly();
        this.mask = ringSize - 1;
        this.batchBytes = Math.max(Math.min(ringSize / 4, 256 << 10), HEADER_SIZE + 8);
    }

    /** Maps the ring of {@code map}; the caller owns the result ({@link #unmap()}). */
    static MappedRing map(BpfMap map, RecordHandler handler, Arena arena) {
        long pageSize = MapMemory.pageSize();
        long ringSize = Integer.toUnsignedLong(map.maxEntries());
        if (ringSize == 0 || (ringSize & (ringSize - 1)) != 0 || ringSize % pageSize != 0) {
            throw new IllegalArgumentException("ring buffer map " + map.name() + " has a size of " + ringSize
                    + " bytes, not a power of 2 multiple of the page size");
        }
        MapMemory.Mapping consumer = MapMemory.map(map.fd(), 0, pageSize, LibC.PROT_READ | LibC.PROT_WRITE,
                "mmap consumer page of ring buffer", map.name());
        MapMemory.Mapping producer;
        try {
            producer = MapMemory.map(map.fd(), pageSize, pageSize + 2 * ringSize, LibC.PROT_READ,
                    "mmap producer page and data of ring buffer", map.name());
        } catch (RuntimeException | Error e) {
            consumer.unmap();
            throw e;
        }
        return new MappedRing(handler, consumer, producer, pageSize, ringSize, arena);
    }

    /** Releases both mappings; call once, after the segments' arena is closed. */
    void unmap() {
        consumerMapping.unmap();
        producerMapping.unmap();
    }

    /** How far the current consume has read (the next record's position); read by consume after a batch. */
    private long pos;
    /** Records handed over by the current consume. */
    private int handled;

    /**
     * Hands every committed record to the handler, in order. Each record's segment belongs to
     * a confined arena of its own, closed when its callback returns, so a segment kept past its
     * callback throws; the consumer position is published (release) after each batch of at most
     * a quarter of the ring, always after the segments of its records are dead, so the kernel
     * never reuses memory a record segment can still reach. Stops at a record still being
     * written (busy), or after a handler failed (that record counts as consumed). Returns the
     * number of records handed over.
     */
    int consume(CallbackConsumer consumer) {
        pos = (long) LONG.getAcquire(consumerPage, 0L);
        handled = 0;
        long prod = (long) LONG.getAcquire(producerPage, 0L);
        while (pos < prod) {
            boolean stop;
            try {
                stop = readBatch(Math.min(prod, pos + batchBytes));
            } catch (Throwable t) {
                consumer.fail(t);
                stop = true;
            }
            LONG.setRelease(consumerPage, 0L, pos);
            if (stop) {
                break;
            }
            if (pos >= prod) {
                prod = (long) LONG.getAcquire(producerPage, 0L);
            }
        }
        return handled;
    }

    /**
     * Reads the records from {@link #pos} up to {@code end} (a separate method, called once per
     * batch, so that the JIT compiles it whole rather than only as an on-stack replacement of
     * a loop in a method called once per drain). Returns true at a busy record.
     */
    @SuppressWarnings("restricted")
    private boolean readBatch(long end) throws Exception {
        long cons = pos;
        int n = 0;
        // locals: the acquire read below would make the JIT reload fields on every record
        MemorySegment data = this.data;
        MemorySegment readOnlyData = this.readOnlyData;
        RecordHandler handler = this.handler;
        long mask = this.mask;
        try {
            while (cons < end) {
                long offset = cons & mask;
                int header = (int) INT.getAcquire(data, offset); // as libbpf: smp_load_acquire
                if ((header & BUSY_BIT) != 0) {
                    return true;
                }
                long length = header & ~(BUSY_BIT | DISCARD_BIT);
                long step = (length + HEADER_SIZE + 7) & ~7L;
                if ((header & DISCARD_BIT) == 0) {
                    // records of one length back to back (one struct per ring, as usual): a counted loop
                    // over this one and those after it up to the batch's end, left at the first other header
                    int run = (int) Math.max(1, Math.min((end - cons) / step, Integer.MAX_VALUE));
                    int taken = 0;
                    try {
                        for (int i = 0; i < run; i++) {
                            long at = offset + (long) i * step;
                            if ((int) INT.getAcquire(data, at) != header) { // busy, discarded or another length
                                break;
                            }
                            taken = i + 1; // before the handler: a record that throws is consumed
                            try (Arena record = Arena.ofConfined()) {
                                handler.onRecord(readOnlyData.asSlice(at + HEADER_SIZE, length).reinterpret(record, null));
                            }
                        }
                    } finally {
                        cons += taken * step;
                        n += taken;
                    }
                    continue;
                }
                cons += step; // a discarded record
            }
            return false;
        } finally {
            pos = cons;
            handled += n;
        }
    }
}
