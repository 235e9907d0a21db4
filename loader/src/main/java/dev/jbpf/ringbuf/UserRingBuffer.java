package dev.jbpf.ringbuf;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes samples from Java into a {@link MapType#USER_RINGBUF} map, for a BPF program to read
 * with {@code bpf_user_ringbuf_drain}, through libbpf's producer ({@code user_ring_buffer__new},
 * {@code __reserve}, {@code __reserve_blocking}, {@code __submit}, {@code __discard}).
 *
 * <pre>{@code
 * try (UserRingBuffer ring = UserRingBuffer.of(object.map("user_rb"))) {
 *     ring.submit(Codec.LONG.encode(42L));                // copy a byte[] in
 *     ring.reserve(16).ifPresent(sample -> {              // or write in place
 *         sample.data().set(ValueLayout.JAVA_LONG, 0, 7L);
 *         sample.submit();
 *     });
 * }
 * }</pre>
 *
 * <p><b>Native memory.</b> A UserRingBuffer owns the libbpf {@code user_ring_buffer} (its
 * mappings of the ring and an epoll fd); {@link #close()} frees it ({@code
 * user_ring_buffer__free}). The map is not owned: close the UserRingBuffer before the map or its
 * object. A reserved {@link Sample} is a piece of the ring; its {@link Sample#data()} segment
 * lives in a confined arena of the sample, closed by {@link Sample#submit()} or {@link
 * Sample#discard()}, so the segment cannot be touched after the kernel may have read it.
 *
 * <p><b>Threads.</b> Every method may be called from any thread: reservations (which libbpf
 * does not make thread-safe) are serialised by a lock of this object, submits and discards need
 * none. A sample belongs to the thread that reserved it: only that thread may write, submit or
 * discard it. {@link #close()} waits for a reservation in progress (a blocking {@link
 * #reserve(int, Duration)}: up to its timeout), discards the calling thread's open samples, and
 * frees the producer; samples other threads still hold keep the ring mapped until those threads
 * submit or discard them (which then discards them and throws {@link IllegalStateException}).
 * After close every method throws {@link IllegalStateException}.
 */
public final class UserRingBuffer implements AutoCloseable {
    /** The kernel's header before each sample ({@code BPF_RINGBUF_HDR_SZ}). */
    private static final int HEADER_SIZE = 8;

    private final MemorySegment ring;
    private final String name;
    private final int capacity;
    /** Held around libbpf's reserve calls, and by close() so that it never frees under one. */
    private final ReentrantLock reserveLock = new ReentrantLock();
    /** Samples reserved and not yet finished; guarded by this object's monitor, as is freed. */
    private final Set<Sample> open = new LinkedHashSet<>();
    private volatile boolean closed;
    private boolean freed;

    private UserRingBuffer(MemorySegment ring, String name, int capacity) {
        this.ring = ring;
        this.name = name;
        this.capacity = capacity;
    }

    /**
     * A producer for map ({@code user_ring_buffer__new}).
     *
     * @throws IllegalArgumentException when map is not a {@link MapType#USER_RINGBUF}
     * @throws BpfException when libbpf cannot map the ring
     */
    public static UserRingBuffer of(BpfMap map) {
        Objects.requireNonNull(map, "map");
        if (map.type() != MapType.USER_RINGBUF) {
            throw new IllegalArgumentException("map " + map.name() + " is a " + map.type().displayName()
                    + " map, not a user_ringbuf map");
        }
        MemorySegment ring = LibBpfCall.checkNonNull("create user ring buffer", map.name(),
                () -> LibBpf.user_ring_buffer__new(map.fd(), MemorySegment.NULL));
        return new UserRingBuffer(ring, map.name(), map.maxEntries());
    }

    /** The largest sample that fits into this ring at all: its size minus the 8-byte header. */
    public int maxSampleSize() {
        checkOpen();
        return capacity - HEADER_SIZE;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("user ring buffer " + name + " is closed");
        }
    }

    private void checkSize(int size) {
        if (size <= 0 || roundUp8((long) size + HEADER_SIZE) > capacity) {
            throw new IllegalArgumentException("sample size must be 1.." + (capacity - HEADER_SIZE) + " bytes for "
                    + name + " (" + capacity + " bytes of ring), got " + size);
        }
    }

    private static long roundUp8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Reserves size bytes for a sample ({@code user_ring_buffer__reserve}); empty when the ring
     * has no room now (the BPF program has not drained it). Fill {@link Sample#data()}, then
     * {@link Sample#submit()} (or {@link Sample#discard()}): until then the program sees neither
     * this sample nor any reserved after it.
     *
     * @throws IllegalArgumentException when size is not positive or larger than {@link #maxSampleSize()}
     */
    public Optional<Sample> reserve(int size) {
        checkOpen();
        checkSize(size);
        reserveLock.lock();
        try {
            checkOpen();
            return reserved(LibBpf.user_ring_buffer__reserve(ring, size), LibBpf.errno(), size);
        } finally {
            reserveLock.unlock();
        }
    }

    /**
     * {@link #reserve(int)} that waits up to timeout for room ({@code
     * user_ring_buffer__reserve_blocking}; the kernel wakes the wait when a program drains).
     * Empty when there is still no room after timeout.
     */
    public Optional<Sample> reserve(int size, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        checkSize(size);
        long ms = Math.max(0, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        reserveLock.lock();
        try {
            checkOpen();
            return reserved(LibBpf.user_ring_buffer__reserve_blocking(ring, size, (int) ms), LibBpf.errno(), size);
        } finally {
            reserveLock.unlock();
        }
    }

    @SuppressWarnings("restricted")
    private Optional<Sample> reserved(MemorySegment sample, int errno, int size) {
        if (sample.equals(MemorySegment.NULL)) {
            if (errno == Errno.ENOSPC || errno == Errno.EINTR) { // no room (after the timeout), or a signal
                return Optional.empty();
            }
            throw BpfException.of("reserve in user ring buffer", name, errno, size + " bytes");
        }
        Arena arena = Arena.ofConfined();
        Sample reserved = new Sample(sample.address(), sample.reinterpret(size, arena, null), arena);
        synchronized (this) {
            open.add(reserved);
        }
        return Optional.of(reserved);
    }

    /**
     * Copies record into a new sample and submits it; false when the ring has no room now.
     *
     * @throws IllegalArgumentException when record is empty or larger than {@link #maxSampleSize()}
     */
    @SuppressWarnings("restricted")
    public boolean submit(byte[] record) {
        Objects.requireNonNull(record, "record");
        checkOpen();
        checkSize(record.length);
        reserveLock.lock();
        try {
            checkOpen();
            MemorySegment sample = LibBpf.user_ring_buffer__reserve(ring, record.length);
            if (sample.equals(MemorySegment.NULL)) {
                int errno = LibBpf.errno();
                if (errno == Errno.ENOSPC) {
                    return false;
                }
                throw BpfException.of("reserve in user ring buffer", name, errno, record.length + " bytes");
            }
            MemorySegment.copy(record, 0, sample.reinterpret(record.length), ValueLayout.JAVA_BYTE, 0, record.length);
            LibBpf.user_ring_buffer__submit(ring, sample);
            return true;
        } finally {
            reserveLock.unlock();
        }
    }

    private synchronized void finish(Sample sample, boolean submit) {
        if (sample.finished) {
            throw new IllegalStateException("this sample of " + name + " was already submitted or discarded");
        }
        if (Thread.currentThread() != sample.owner) {
            throw new IllegalStateException("this sample of " + name + " belongs to thread " + sample.owner.getName()
                    + ", which reserved it; only it may submit or discard it");
        }
        sample.finished = true;
        sample.arena.close();
        open.remove(sample);
        MemorySegment address = MemorySegment.ofAddress(sample.address);
        if (closed) {
            LibBpf.user_ring_buffer__discard(ring, address);
            freeWhenUnused();
            throw new IllegalStateException("user ring buffer " + name + " was closed: the sample was discarded");
        }
        if (submit) {
            LibBpf.user_ring_buffer__submit(ring, address);
        } else {
            LibBpf.user_ring_buffer__discard(ring, address);
        }
    }

    private void freeWhenUnused() {
        if (closed && open.isEmpty() && !freed) {
            freed = true;
            LibBpf.user_ring_buffer__free(ring);
        }
    }

    /**
     * Discards this thread's open samples and frees the producer; samples other threads still
     * hold keep it until they finish them. Closing twice does nothing.
     */
    @Override
    public void close() {
        reserveLock.lock();
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                for (Sample sample : new ArrayList<>(open)) {
                    if (sample.owner == Thread.currentThread()) {
                        sample.finished = true;
                        sample.arena.close();
                        open.remove(sample);
                        LibBpf.user_ring_buffer__discard(ring, MemorySegment.ofAddress(sample.address));
                    }
                }
                freeWhenUnused();
            }
        } finally {
            reserveLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "UserRingBuffer[" + name + (closed ? ", closed]" : "]");
    }

    /**
     * A reserved, not yet submitted sample: {@link #data()} to write, then {@link #submit()} or
     * {@link #discard()}, from the thread that reserved it. Its memory is part of the ring, owned
     * by the {@link UserRingBuffer}; the segment is invalid after submit or discard.
     */
    public final class Sample {
        private final long address;
        private final MemorySegment data;
        private final Arena arena;
        private final Thread owner = Thread.currentThread();
        private volatile boolean finished;

        private Sample(long address, MemorySegment data, Arena arena) {
            this.address = address;
            this.data = data;
            this.arena = arena;
        }

        /** The sample's bytes to fill (8-byte aligned; confined to the reserving thread). */
        public MemorySegment data() {
            if (finished) {
                throw new IllegalStateException("this sample of " + name + " was already submitted or discarded");
            }
            return data;
        }

        /** The sample's size in bytes, as reserved. */
        public int size() {
            return (int) data.byteSize();
        }

        /** Hands the sample to the kernel: the next {@code bpf_user_ringbuf_drain} reads it. */
        public void submit() {
            finish(this, true);
        }

        /** Gives the space back unread. */
        public void discard() {
            finish(this, false);
        }
    }
}
