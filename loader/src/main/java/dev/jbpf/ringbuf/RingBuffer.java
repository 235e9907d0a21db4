package dev.jbpf.ringbuf;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.ring_buffer_sample_fn;
import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.LibBpfLog;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads records from one or more BPF ring buffer maps through libbpf's {@code struct
 * ring_buffer} ({@code ring_buffer__new}/{@code __add}/{@code __poll}/{@code __consume}).
 *
 * <p><b>Native memory.</b> A RingBuffer owns the libbpf {@code ring_buffer} (its epoll fd and
 * its mappings of the rings) and one upcall stub per added map, allocated in a shared arena of
 * its own. {@link #close()} frees the {@code ring_buffer} ({@code ring_buffer__free}) and then
 * closes the arena. The maps are not owned: close the RingBuffer before the maps' object.
 * After close every method throws {@link IllegalStateException}.
 *
 * <p><b>Threads.</b> {@link #poll} and {@link #consume} must be called by one thread at a
 * time (a second concurrent call throws {@link IllegalStateException}). {@link #close()} may be
 * called from any thread, also while another thread polls: then the poll returns within
 * about {@value CallbackConsumer#POLL_SLICE_MS} ms and the native resources are freed by the polling thread
 * when it leaves native code, never under its feet.
 *
 * <p><b>Handler exceptions</b> never cross the native callback (that would kill the JVM): the
 * upcall catches them, makes libbpf stop, and {@code poll}/{@code consume} rethrow them, as
 * they are when unchecked, else wrapped in a {@link BpfException} whose cause they are.
 */
public final class RingBuffer implements AutoCloseable {
    /** What the upcall returns to libbpf when a handler threw: stops the poll. */
    private static final int HANDLER_FAILED = -125; // -ECANCELED

    private final MemorySegment ringBuffer;
    private final String names;
    private final CallbackConsumer consumer;

    private RingBuffer(Arena arena, MemorySegment ringBuffer, String names) {
        this.ringBuffer = ringBuffer;
        this.names = names;
        this.consumer = new CallbackConsumer("ring buffer " + names, "handle record of", () -> {
            LibBpf.ring_buffer__free(ringBuffer);
            arena.close();
        });
    }

    /** A builder; add at least one ring buffer map. */
    public static Builder builder() {
        return new Builder();
    }

    /** Copies a record (or any segment) into a new array; use it inside a {@link RecordHandler}. */
    public static byte[] copy(MemorySegment record) {
        return record.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Collects maps and handlers; {@link #build()} makes the RingBuffer. Not thread-safe. */
    public static final class Builder {
        private final List<BpfMap> maps = new ArrayList<>();
        private final List<RecordHandler> handlers = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a ring buffer map and the handler for its records.
         *
         * @throws IllegalArgumentException when the map is not a {@link MapType#RINGBUF}
         */
        public Builder add(BpfMap map, RecordHandler handler) {
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(handler, "handler");
            if (map.type() != MapType.RINGBUF) {
                throw new IllegalArgumentException("map " + map.name() + " is a " + map.type().displayName()
                        + " map, not a ringbuf map");
            }
            maps.add(map);
            handlers.add(handler);
            return this;
        }

        /**
         * Creates the libbpf consumer over every added map.
         *
         * @throws IllegalStateException when no map was added
         * @throws BpfException when libbpf cannot set the consumer up (e.g. mmap fails)
         */
        public RingBuffer build() {
            if (maps.isEmpty()) {
                throw new IllegalStateException("add at least one ring buffer map before build()");
            }
            String names = String.join(",", maps.stream().map(BpfMap::name).toList());
            Arena arena = Arena.ofShared();
            MemorySegment rb = MemorySegment.NULL;
            try {
                RingBuffer[] self = new RingBuffer[1];
                for (int i = 0; i < maps.size(); i++) {
                    RecordHandler handler = handlers.get(i);
                    String mapName = maps.get(i).name();
                    MemorySegment stub = ring_buffer_sample_fn.allocate(
                            (ctx, data, size) -> self[0].deliver(handler, data, size), arena);
                    int fd = maps.get(i).fd();
                    LibBpfLog.begin();
                    if (i == 0) {
                        rb = LibBpf.ring_buffer__new(fd, stub, MemorySegment.NULL, MemorySegment.NULL);
                        if (rb.equals(MemorySegment.NULL)) {
                            int errno = LibBpf.errno();
                            throw BpfException.of("create ring buffer", mapName, errno, LibBpfLog.explanation());
                        }
                    } else {
                        int ret = LibBpf.ring_buffer__add(rb, fd, stub, MemorySegment.NULL);
                        if (ret < 0) {
                            throw BpfException.of("add to ring buffer", mapName, -ret, LibBpfLog.explanation());
                        }
                    }
                }
                self[0] = new RingBuffer(arena, rb, names);
                return self[0];
            } catch (RuntimeException | Error e) {
                if (!rb.equals(MemorySegment.NULL)) {
                    LibBpf.ring_buffer__free(rb);
                }
                arena.close();
                throw e;
            }
        }
    }

    /** The upcall body. Must never throw: an exception escaping an upcall kills the JVM. */
    private int deliver(RecordHandler handler, MemorySegment data, long size) {
        try {
            return consumer.deliver(data, size, handler::onRecord) ? 0 : HANDLER_FAILED;
        } catch (Throwable t) {
            return HANDLER_FAILED; // deliver keeps handler failures; nothing else may escape
        }
    }

    /**
     * Waits up to timeout for records and hands each to its handler. Returns the number of
     * records handled: 0 on timeout, when a signal interrupted the wait (EINTR), or when the
     * ring buffer was closed meanwhile by another thread. {@code Duration.ZERO} does not wait.
     *
     * @throws IllegalStateException when closed, or another thread is polling
     * @throws BpfException when libbpf fails
     * @throws RuntimeException (or Error) a handler threw; a checked exception of a handler comes wrapped in a
     *     BpfException
     */
    public int poll(Duration timeout) {
        return consumer.poll(timeout, "poll", slice -> LibBpf.ring_buffer__poll(ringBuffer, slice));
    }

    /**
     * Handles every record available now, without waiting ({@code ring_buffer__consume}).
     * Returns the number of records handled. Same rules as {@link #poll}.
     */
    public int consume() {
        return consumer.consume("consume", () -> LibBpf.ring_buffer__consume(ringBuffer));
    }

    /** The epoll fd libbpf waits on (owned by this RingBuffer), for callers with their own event loop. */
    public int epollFd() {
        return consumer.whileOpen(() -> LibBpf.ring_buffer__epoll_fd(ringBuffer));
    }

    /**
     * Frees the libbpf consumer and the handlers' upcall stubs. When another thread is
     * polling, its poll returns soon and that thread frees them. Closing twice does nothing.
     */
    @Override
    public void close() {
        consumer.close();
    }

    @Override
    public String toString() {
        return "RingBuffer[" + names + (consumer.isClosed() ? ", closed]" : "]");
    }
}
