package dev.jbpf.perf;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.perf_buffer_opts;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibC;
import dev.jbpf.internal.MapMemory;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what BPF programs send with {@code bpf_perf_event_output} into a {@code
 * PERF_EVENT_ARRAY} map. libbpf's {@code perf_buffer__new} sets it up (one {@code bpf-output}
 * perf event per CPU, a ring of {@link Builder#pagesPerCpu} pages mapped for each, the events
 * stored in the map at index = CPU); the rings are then read directly from their memory in
 * Java, with no call from native code per sample, and waited on with an epoll fd of our own.
 * Made by {@code PerfBuffer.builder(map).onSample((cpu, data) -> ...).build()}.
 *
 * <p><b>Native memory.</b> A PerfBuffer owns the libbpf {@code perf_buffer} (its perf event
 * fds and their ring mappings), its epoll fd and a shared arena of its own, to which the ring
 * segments and the copy buffers of wrapped samples belong. {@link #close()} closes the arena
 * (so no segment can reach the rings any more), the epoll fd, and then frees the {@code
 * perf_buffer} ({@code perf_buffer__free}). The map is not owned; closing its object (or a map
 * that owns its fd) closes this PerfBuffer too, so that a poll in another thread returns and the
 * next one throws. After close every method throws {@link IllegalStateException}.
 *
 * <p><b>Threads.</b> As {@code RingBuffer}: {@link #poll}/{@link #consume} by one thread at a
 * time; {@link #close()} from any thread, also while another polls (that poll returns within
 * about {@value CallbackConsumer#POLL_SLICE_MS} ms and frees the native side).
 *
 * <p><b>Handler exceptions</b> stop the reading: the sample (or loss report) whose handler
 * threw counts as read, later ones stay in the ring for the next poll, and {@code poll}/{@code
 * consume} rethrow the exception, as it is when unchecked, else wrapped in a {@link
 * BpfException} whose cause it is.
 */
public final class PerfBuffer implements AutoCloseable {
    /** Pages per CPU ring when the builder is not told: 64 KiB with 4 KiB pages. */
    public static final int DEFAULT_PAGES_PER_CPU = 16;

    private final String description;
    private final PerfRing[] rings;
    private final int epollFd;
    private final MemorySegment events;
    private final CallbackConsumer consumer;
    private final SampleHandler sampleHandler;
    private final LostHandler lostHandler;
    private final AtomicLong lost = new AtomicLong();
    /** The map read, whose owner closes this PerfBuffer with it. */
    private final BpfMap map;

    private PerfBuffer(String description, BpfMap map, MemorySegment perfBuffer, Arena arena, PerfRing[] rings,
            int epollFd, SampleHandler sampleHandler, LostHandler lostHandler) {
        this.description = description;
        this.map = map;
        this.rings = rings;
        this.epollFd = epollFd;
        this.events = arena.allocate(LibC.EPOLL_EVENT_SIZE * rings.length, 8);
        this.sampleHandler = sampleHandler;
        this.lostHandler = lostHandler;
        this.consumer = new CallbackConsumer(description, "handle sample of", () -> free(arena, epollFd, perfBuffer));
    }

    private static void free(Arena arena, int epollFd, MemorySegment perfBuffer) {
        arena.close(); // first, so that no segment of a ring can be used once libbpf unmaps it
        if (epollFd >= 0) {
            LibC.close(epollFd);
        }
        if (perfBuffer != null) {
            LibBpf.perf_buffer__free(perfBuffer);
        }
    }

    /**
     * A builder over a {@code PERF_EVENT_ARRAY} map.
     *
     * @throws IllegalArgumentException when the map is of another type
     */
    public static Builder builder(BpfMap map) {
        return new Builder(map);
    }

    /** Collects the settings; {@link #build()} makes the PerfBuffer. Not thread-safe. */
    public static final class Builder {
        private final BpfMap map;
        private int pagesPerCpu = DEFAULT_PAGES_PER_CPU;
        private int wakeupEvents = 1;
        private SampleHandler sampleHandler;
        private LostHandler lostHandler;

        private Builder(BpfMap map) {
            this.map = Objects.requireNonNull(map, "map");
            if (map.type() != MapType.PERF_EVENT_ARRAY) {
                throw new IllegalArgumentException("map " + map.name() + " is a " + map.type().displayName()
                        + " map, not a perf_event_array map");
            }
        }

        /**
         * Size of each CPU's ring in pages (a power of two; default {@value
         * PerfBuffer#DEFAULT_PAGES_PER_CPU}). When a ring is full the kernel drops samples
         * and reports how many to {@link #onLost}.
         */
        public Builder pagesPerCpu(int pages) {
            if (pages <= 0 || Integer.bitCount(pages) != 1) {
                throw new IllegalArgumentException("pages per CPU must be a power of two (1, 2, 4, ...), got " + pages);
            }
            this.pagesPerCpu = pages;
            return this;
        }

        /**
         * Wake a waiting {@link PerfBuffer#poll} only every {@code samples} samples of a CPU
         * (perf's {@code wakeup_events}, libbpf's {@code perf_buffer_opts.sample_period}; cilium/ebpf's
         * {@code ReaderOptions.WakeupEvents}). The default, 1, wakes the reader for every sample:
         * each costs the producer a wake-up (an irq_work), which caps it at about 100,000 samples/s
         * on one CPU here (BENCHMARKS.md). With more, a CPU's last samples below the count stay in
         * its ring until more arrive or {@link PerfBuffer#consume()} reads them: poll with a timeout,
         * then consume.
         */
        public Builder wakeupEvents(int samples) {
            if (samples <= 0) {
                throw new IllegalArgumentException("wakeup events must be at least 1, got " + samples);
            }
            this.wakeupEvents = samples;
            return this;
        }

        /** The handler of each sample (required). */
        public Builder onSample(SampleHandler handler) {
            this.sampleHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** The handler of loss reports (optional: {@link PerfBuffer#lostSamples()} counts them either way). */
        public Builder onLost(LostHandler handler) {
            this.lostHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Creates the perf events and rings (libbpf), stores the events in the map, maps the
         * rings for reading and creates the epoll fd watching them.
         *
         * @throws IllegalStateException when no sample handler was given
         * @throws BpfException when libbpf fails (e.g. mmap fails, or the map is too small)
         */
        public PerfBuffer build() {
            if (sampleHandler == null) {
                throw new IllegalStateException("set onSample(...) before build()");
            }
            String description = "perf buffer " + map.name();
            Arena arena = Arena.ofShared();
            MemorySegment pb = null;
            int epollFd = -1;
            PerfBuffer perfBuffer;
            try {
                int fd = map.fd();
                MemorySegment opts = perf_buffer_opts.allocate(arena);
                perf_buffer_opts.sz(opts, perf_buffer_opts.sizeof());
                perf_buffer_opts.sample_period(opts, wakeupEvents); // libbpf sets wakeup_events from it
                // no callbacks: libbpf only sets up; PerfRing reads the rings
                pb = LibBpfCall.checkNonNull("create perf buffer", map.name(), () -> LibBpf.perf_buffer__new(fd,
                        pagesPerCpu, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, opts));
                int count = (int) LibBpf.perf_buffer__buffer_cnt(pb);
                List<Integer> cpus = ringCpus(map, count);
                epollFd = LibC.epollCreate();
                if (epollFd < 0) {
                    throw BpfException.of("create epoll fd for", description, -epollFd, null);
                }
                PerfRing[] rings = new PerfRing[count];
                long pageSize = MapMemory.pageSize();
                try (Arena call = Arena.ofConfined()) {
                    MemorySegment base = call.allocate(ValueLayout.ADDRESS);
                    MemorySegment size = call.allocate(ValueLayout.JAVA_LONG);
                    for (int i = 0; i < count; i++) {
                        int index = i;
                        MemorySegment buffer = pb;
                        LibBpfCall.check("get ring of", description, () ->
                                LibBpf.perf_buffer__buffer(buffer, index, base, size));
                        long dataSize = size.get(ValueLayout.JAVA_LONG, 0);
                        rings[i] = new PerfRing(cpus.get(i), base.get(ValueLayout.ADDRESS, 0), pageSize, dataSize, arena);
                        int ringFd = LibBpfCall.check("get perf event fd of", description, () ->
                                LibBpf.perf_buffer__buffer_fd(buffer, index));
                        int errno = LibC.epollAdd(epollFd, ringFd, LibC.EPOLLIN, i);
                        if (errno != 0) {
                            throw BpfException.of("add perf event of CPU " + cpus.get(i) + " to epoll for", description,
                                    errno, null);
                        }
                    }
                }
                perfBuffer = new PerfBuffer(description, map, pb, arena, rings, epollFd, sampleHandler, lostHandler);
            } catch (RuntimeException | Error e) {
                free(arena, epollFd, pb);
                throw e;
            }
            try {
                Access.maps().closeWith(map, perfBuffer); // closing the map's object closes this perf buffer first
            } catch (RuntimeException | Error e) {
                perfBuffer.close();
                throw e;
            }
            return perfBuffer;
        }

        /**
         * The CPU of each of libbpf's rings, in libbpf's order: the online CPUs below the map's
         * size (perf_buffer__new skips offline ones).
         */
        private static List<Integer> ringCpus(BpfMap map, int count) {
            long limit = map.maxEntries() == 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(map.maxEntries());
            List<Integer> cpus = Cpus.online().stream().filter(cpu -> cpu < limit).toList();
            if (cpus.size() != count) {
                throw new BpfException("create perf buffer", map.name(), "libbpf opened " + count
                        + " CPU rings but " + cpus.size() + " CPUs are online (did a CPU go on- or offline?)");
            }
            return cpus;
        }
    }

    /** A loss report of a ring: counted, then handed to the lost handler; may throw (the handler's exception). */
    void lost(int cpu, long count) throws Exception {
        lost.addAndGet(count);
        if (lostHandler != null) {
            lostHandler.onLost(cpu, count);
        }
    }

    /** Reads ring number {@code ring}: the records handed over. */
    private int consumeRing(int ring) {
        return rings[ring].consume(consumer, sampleHandler, this);
    }

    /**
     * Waits up to timeout for samples and hands each to the sample handler (loss reports to
     * the lost handler). Returns the number of samples handled: 0 on timeout, when a signal
     * interrupted the wait, or when the buffer was closed meanwhile by another thread.
     * {@code Duration.ZERO} does not wait.
     *
     * @throws IllegalStateException when closed, or another thread is polling
     * @throws BpfException when libbpf fails
     * @throws RuntimeException (or Error) a handler threw; a checked exception of a handler comes wrapped in a
     *     BpfException
     */
    public int poll(Duration timeout) {
        return consumer.poll(timeout, "poll", slice -> consumer.pollReady(epollFd, events, slice, this::consumeRing));
    }

    /**
     * Handles every sample available now on every CPU, without waiting ({@code
     * perf_buffer__consume}). Returns the number of samples handled. Same rules as {@link #poll}.
     */
    public int consume() {
        return consumer.consume("consume", () -> consumer.consumeEach(rings.length, this::consumeRing));
    }

    /**
     * Copies a sample (or any segment) into a new array: inside a {@link SampleHandler}, what
     * outlives the call (or use {@link SampleHandler#copying}).
     */
    public static byte[] copy(MemorySegment data) {
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    /** The total of the samples the kernel reported lost so far (rings full). */
    public long lostSamples() {
        return lost.get();
    }

    /** The number of per-CPU rings (one per CPU the map covers). */
    public int bufferCount() {
        return consumer.whileOpen(() -> rings.length);
    }

    /**
     * The epoll fd {@link #poll} waits on (owned by this PerfBuffer; readable when a ring has
     * data), for callers with their own event loop.
     */
    public int epollFd() {
        return consumer.whileOpen(() -> epollFd);
    }

    /**
     * Frees the libbpf consumer (its perf events and rings) and the epoll fd. When
     * another thread is polling, its poll returns soon and that thread frees them. Closing
     * twice does nothing.
     */
    @Override
    public void close() {
        consumer.close();
        Access.maps().forget(map, this);
    }

    @Override
    public String toString() {
        return "PerfBuffer[" + description + (consumer.isClosed() ? ", closed]" : "]");
    }
}
