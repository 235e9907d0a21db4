package dev.jbpf.ringbuf;

import dev.jbpf.BpfException;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.LibC;
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
 * Reads records from one or more BPF ring buffer maps directly from the rings' memory, in Java
 * (no call from native code per record), as libbpf's {@code ring_buffer__poll}/{@code
 * __consume} do: each ring's consumer and producer pages and data area are mapped into this
 * process, records are read in place (a {@link RecordHandler} gets a view valid only during its
 * call; {@link RecordHandler#copying} the copying alternative) and the consumer position is
 * published after each batch of records (at most a quarter of the ring, 256 KiB).
 * Waiting is an {@code epoll_wait} on an epoll fd watching every map.
 *
 * <p><b>Native memory.</b> A RingBuffer owns its epoll fd and the memory mappings of the
 * rings, whose segments belong to a shared arena of its own. {@link #close()} closes the
 * arena, unmaps the rings and closes the epoll fd. The maps are not owned; closing their
 * object (or a map that owns its fd) closes this RingBuffer too, so that a poll in another
 * thread returns and the next one throws {@link IllegalStateException}.
 * After close every method throws {@link IllegalStateException}.
 *
 * <p><b>Threads.</b> {@link #poll} and {@link #consume} must be called by one thread at a
 * time (a second concurrent call throws {@link IllegalStateException}). {@link #close()} may be
 * called from any thread, also while another thread polls: then the poll returns within
 * about {@value CallbackConsumer#POLL_SLICE_MS} ms and the native resources are freed by the polling thread
 * on its way out of {@code poll}, never under its feet.
 *
 * <p><b>Handler exceptions</b> stop the reading of the rings: the record whose handler threw
 * counts as consumed, and {@code poll}/{@code consume} rethrow the exception, as it is when
 * unchecked, else wrapped in a {@link BpfException} whose cause it is.
 */
public final class RingBuffer implements AutoCloseable {
    private final int epollFd;
    private final MappedRing[] rings;
    private final MemorySegment events;
    private final String names;
    private final CallbackConsumer consumer;
    /** The maps read, whose owners close this RingBuffer with them. */
    private final List<BpfMap> maps;

    private RingBuffer(Arena arena, int epollFd, MappedRing[] rings, String names, List<BpfMap> maps) {
        this.maps = maps;
        this.epollFd = epollFd;
        this.rings = rings;
        this.names = names;
        this.events = arena.allocate(LibC.EPOLL_EVENT_SIZE * rings.length, 8);
        this.consumer = new CallbackConsumer("ring buffer " + names, "handle record of",
                () -> free(arena, rings, epollFd));
    }

    private static void free(Arena arena, MappedRing[] rings, int epollFd) {
        arena.close(); // first, so that no segment of a ring can be used once it is unmapped
        for (MappedRing ring : rings) {
            if (ring != null) {
                ring.unmap();
            }
        }
        if (epollFd >= 0) {
            LibC.close(epollFd);
        }
    }

    /** A builder; add at least one ring buffer map. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Copies a record (or any segment) into a new array: inside a {@link RecordHandler}, what
     * outlives the call (or use {@link RecordHandler#copying}).
     */
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
         * Maps every added ring and creates the epoll fd watching them.
         *
         * @throws IllegalStateException when no map was added
         * @throws BpfException when the rings cannot be mapped or watched (mmap, epoll_ctl fail)
         */
        public RingBuffer build() {
            if (maps.isEmpty()) {
                throw new IllegalStateException("add at least one ring buffer map before build()");
            }
            String names = String.join(",", maps.stream().map(BpfMap::name).toList());
            Arena arena = Arena.ofShared();
            MappedRing[] rings = new MappedRing[maps.size()];
            int epollFd = -1;
            RingBuffer ringBuffer;
            try {
                epollFd = LibC.epollCreate();
                if (epollFd < 0) {
                    throw BpfException.of("create epoll fd for ring buffer", names, -epollFd, null);
                }
                for (int i = 0; i < maps.size(); i++) {
                    BpfMap map = maps.get(i);
                    rings[i] = MappedRing.map(map, handlers.get(i), arena);
                    int errno = LibC.epollAdd(epollFd, map.fd(), LibC.EPOLLIN, i);
                    if (errno != 0) {
                        throw BpfException.of("add ring buffer to epoll", map.name(), errno, null);
                    }
                }
                ringBuffer = new RingBuffer(arena, epollFd, rings, names, List.copyOf(maps));
            } catch (RuntimeException | Error e) {
                free(arena, rings, epollFd);
                throw e;
            }
            try {
                for (BpfMap map : maps) {
                    Access.maps().closeWith(map, ringBuffer); // closing the maps' object closes this ring buffer first
                }
            } catch (RuntimeException | Error e) {
                ringBuffer.close();
                throw e;
            }
            return ringBuffer;
        }
    }

    /** Reads ring number {@code ring}: the records handed over. */
    private int consumeRing(int ring) {
        return rings[ring].consume(consumer);
    }

    /**
     * Waits up to timeout for records and hands each to its handler. Returns the number of
     * records handled: 0 on timeout, when a signal interrupted the wait (EINTR), or when the
     * ring buffer was closed meanwhile by another thread. {@code Duration.ZERO} does not wait.
     *
     * @throws IllegalStateException when closed, or another thread is polling
     * @throws BpfException when epoll_wait fails
     * @throws RuntimeException (or Error) a handler threw; a checked exception of a handler comes wrapped in a
     *     BpfException
     */
    public int poll(Duration timeout) {
        return consumer.poll(timeout, "poll", slice -> consumer.pollReady(epollFd, events, slice, this::consumeRing));
    }

    /**
     * Handles every record available now, without waiting (as {@code ring_buffer__consume}).
     * Returns the number of records handled. Same rules as {@link #poll}.
     */
    public int consume() {
        return consumer.consume("consume", () -> consumer.consumeEach(rings.length, this::consumeRing));
    }

    /**
     * The epoll fd {@link #poll} waits on (owned by this RingBuffer; readable when a ring has
     * data), for callers with their own event loop.
     */
    public int epollFd() {
        return consumer.whileOpen(() -> epollFd);
    }

    /**
     * Unmaps the rings and closes the epoll fd. When another thread is
     * polling, its poll returns soon and that thread frees them. Closing twice does nothing.
     */
    @Override
    public void close() {
        consumer.close();
        maps.forEach(map -> Access.maps().forget(map, this));
    }

    @Override
    public String toString() {
        return "RingBuffer[" + names + (consumer.isClosed() ? ", closed]" : "]");
    }
}
