package dev.jbpf.exporter;

import dev.jbpf.LoadedObject;
import dev.jbpf.ringbuf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ring buffer reading of one config: one background thread polls every ring buffer the
 * config reads (its {@code ringbuf:} counters' and its {@code tracing.spans}') and hands each
 * record to the readers of its map, in the order they were added. A record is a view valid only
 * during the call; a reader copies what it keeps. Owns the {@link RingBuffer} (the rings'
 * mappings) and the thread; the maps belong to the config's {@link LoadedObject}.
 * {@link #close()} stops the thread and unmaps the rings; call it before closing the object.
 */
final class RingbufPoller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");

    private final RingBuffer ringBuffer;
    private final Thread poller;
    private volatile boolean stopping;

    private RingbufPoller(RingBuffer ringBuffer, String configName) {
        this.ringBuffer = ringBuffer;
        this.poller = Thread.ofPlatform().daemon().name("jbpf-export-ringbuf-" + configName).unstarted(this::poll);
    }

    /** Collects the readers of each map; {@link #start} maps the rings and starts the thread. */
    static final class Builder {
        private final Map<String, List<Consumer<MemorySegment>>> readers = new LinkedHashMap<>();

        /** Adds a reader of the ring buffer map {@code map}. Readers must not throw. */
        Builder add(String map, Consumer<MemorySegment> reader) {
            readers.computeIfAbsent(map, m -> new ArrayList<>()).add(reader);
            return this;
        }

        boolean isEmpty() {
            return readers.isEmpty();
        }

        /** Starts reading the maps of {@code object} (one handler per ring, calling its readers in turn). */
        RingbufPoller start(LoadedObject object, String configName) {
            RingBuffer.Builder builder = RingBuffer.builder();
            readers.forEach((mapName, list) -> {
                List<Consumer<MemorySegment>> each = List.copyOf(list);
                builder.add(object.map(mapName), record -> {
                    for (Consumer<MemorySegment> reader : each) {
                        reader.accept(record);
                    }
                });
            });
            RingbufPoller poller = new RingbufPoller(builder.build(), configName);
            poller.poller.start();
            return poller;
        }
    }

    static Builder builder() {
        return new Builder();
    }

    private void poll() {
        try {
            while (!stopping) {
                ringBuffer.poll(Duration.ofMillis(100));
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "ring buffer reading stopped: " + e.getMessage());
            }
        }
    }

    /** Stops the poller (its poll returns within ~100 ms), then unmaps the rings. */
    @Override
    public void close() {
        stopping = true;
        try {
            ringBuffer.close();
        } finally {
            try {
                poller.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
