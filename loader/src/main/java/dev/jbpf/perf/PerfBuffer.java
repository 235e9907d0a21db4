package dev.jbpf.perf;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.perf_buffer_lost_fn;
import dev.jbpf.bindings.perf_buffer_sample_fn;
import dev.jbpf.internal.CallbackConsumer;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what BPF programs send with {@code bpf_perf_event_output} into a {@code
 * PERF_EVENT_ARRAY} map, through libbpf's {@code struct perf_buffer} ({@code
 * perf_buffer__new}/{@code __poll}/{@code __consume}): libbpf opens one {@code bpf-output}
 * perf event per CPU, maps a ring of {@link Builder#pagesPerCpu} pages for each and stores the
 * events in the map at index = CPU. Made by {@code PerfBuffer.builder(map).onSample((cpu, data)
 * -> ...).build()}.
 *
 * <p><b>Native memory.</b> A PerfBuffer owns the libbpf {@code perf_buffer} (its perf event
 * fds, their ring mappings and its epoll fd) and the two upcall stubs, allocated in a shared
 * arena of its own. {@link #close()} frees the {@code perf_buffer} ({@code perf_buffer__free})
 * and then closes the arena. The map is not owned: close the PerfBuffer before the map's
 * object. After close every method throws {@link IllegalStateException}.
 *
 * <p><b>Threads.</b> As {@code RingBuffer}: {@link #poll}/{@link #consume} by one thread at a
 * time; {@link #close()} from any thread, also while another polls (that poll returns within
 * about {@value CallbackConsumer#POLL_SLICE_MS} ms and frees the native side).
 *
 * <p><b>Handler exceptions</b> never cross the native callback: {@code poll}/{@code consume}
 * rethrow the first one, as it is when unchecked, else wrapped in a {@link BpfException} whose
 * cause it is. libbpf's perf buffer callbacks cannot stop it, so the samples libbpf hands over
 * after the failure in that same call are skipped (not given to the handlers).
 */
public final class PerfBuffer implements AutoCloseable {
    /** Pages per CPU ring when the builder is not told: 64 KiB with 4 KiB pages. */
    public static final int DEFAULT_PAGES_PER_CPU = 16;

    private final String description;
    private final MemorySegment perfBuffer;
    private final CallbackConsumer consumer;
    private final SampleHandler sampleHandler;
    private final LostHandler lostHandler;
    private final AtomicLong lost = new AtomicLong();
    /** Samples handed to the handler so far; written by the polling thread only. */
    private long samplesHandled;

    private PerfBuffer(String description, MemorySegment perfBuffer, Arena arena, SampleHandler sampleHandler,
            LostHandler lostHandler) {
        this.description = description;
        this.perfBuffer = perfBuffer;
        this.sampleHandler = sampleHandler;
        this.lostHandler = lostHandler;
        this.consumer = new CallbackConsumer(description, "handle sample of", () -> {
            LibBpf.perf_buffer__free(perfBuffer);
            arena.close();
        });
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
         * Creates the libbpf consumer: opens and maps a perf event per CPU and stores them in
         * the map.
         *
         * @throws IllegalStateException when no sample handler was given
         * @throws BpfException when libbpf fails (e.g. mmap fails, or the map is too small)
         */
        public PerfBuffer build() {
            if (sampleHandler == null) {
                throw new IllegalStateException("set onSample(...) before build()");
            }
            Arena arena = Arena.ofShared();
            try {
                // libbpf calls back only from poll/consume, by which time self[0] is set
                PerfBuffer[] self = new PerfBuffer[1];
                MemorySegment sample = perf_buffer_sample_fn.allocate(
                        (ctx, cpu, data, size) -> self[0].sample(cpu, data, size), arena);
                MemorySegment lost = perf_buffer_lost_fn.allocate((ctx, cpu, count) -> self[0].lost(cpu, count), arena);
                int fd = map.fd();
                MemorySegment pb = LibBpfCall.checkNonNull("create perf buffer", map.name(), () ->
                        LibBpf.perf_buffer__new(fd, pagesPerCpu, sample, lost, MemorySegment.NULL, MemorySegment.NULL));
                self[0] = new PerfBuffer("perf buffer " + map.name(), pb, arena, sampleHandler, lostHandler);
                return self[0];
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        }
    }

    /** The sample upcall. Must never throw: an exception escaping an upcall kills the JVM. */
    private void sample(int cpu, MemorySegment data, int size) {
        try {
            if (consumer.failed()) {
                return; // a handler failed earlier in this call: skip the rest (see the class comment)
            }
            samplesHandled++;
            consumer.deliver(data, Integer.toUnsignedLong(size), record -> sampleHandler.onSample(cpu, record));
        } catch (Throwable ignored) {
            // deliver keeps handler failures; nothing else may escape
        }
    }

    /** The lost-samples upcall. Must never throw. */
    private void lost(int cpu, long count) {
        try {
            lost.addAndGet(count);
            if (lostHandler != null && !consumer.failed()) {
                consumer.deliver(() -> lostHandler.onLost(cpu, count));
            }
        } catch (Throwable ignored) {
            // deliver keeps handler failures; nothing else may escape
        }
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
        long before = samplesHandled;
        consumer.poll(timeout, "poll", slice -> LibBpf.perf_buffer__poll(perfBuffer, slice));
        return (int) (samplesHandled - before);
    }

    /**
     * Handles every sample available now on every CPU, without waiting ({@code
     * perf_buffer__consume}). Returns the number of samples handled. Same rules as {@link #poll}.
     */
    public int consume() {
        long before = samplesHandled;
        consumer.consume("consume", () -> LibBpf.perf_buffer__consume(perfBuffer));
        return (int) (samplesHandled - before);
    }

    /** The total of the samples the kernel reported lost so far (rings full). */
    public long lostSamples() {
        return lost.get();
    }

    /** The number of per-CPU rings (one per CPU the map covers). */
    public int bufferCount() {
        return consumer.whileOpen(() -> (int) LibBpf.perf_buffer__buffer_cnt(perfBuffer));
    }

    /** The epoll fd libbpf waits on (owned by this PerfBuffer), for callers with their own event loop. */
    public int epollFd() {
        return consumer.whileOpen(() -> LibBpf.perf_buffer__epoll_fd(perfBuffer));
    }

    /**
     * Frees the libbpf consumer (its perf events and rings) and the upcall stubs. When
     * another thread is polling, its poll returns soon and that thread frees them. Closing
     * twice does nothing.
     */
    @Override
    public void close() {
        consumer.close();
    }

    @Override
    public String toString() {
        return "PerfBuffer[" + description + (consumer.isClosed() ? ", closed]" : "]");
    }
}
