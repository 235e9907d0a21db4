package dev.jbpf.exporter;

import dev.jbpf.LoadedObject;
import dev.jbpf.map.BpfMap;
import dev.jbpf.ringbuf.RingBuffer;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ring buffer counters of one config ({@code ringbuf:} counters): a background thread polls
 * the config's ring buffers and adds 1 per record to the Prometheus client {@link Counter} of each
 * counter reading it, under the record's labels ({@code labels_from_btf}, else none), up to each
 * counter's {@code max_series} label sets; records of further sets (and records shorter than
 * their struct) are counted as dropped instead. Owns the {@link RingBuffer} (the rings' mappings)
 * and the thread; the maps belong to the config's {@link LoadedObject}.
 * {@link #close()} stops the thread and unmaps the rings; call it before closing the object.
 */
final class RingbufCounters implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");

    /** One counter: its labels, its client Counter and the series it has, written by the poller only. */
    static final class Tally {
        final CounterConfig config;
        final StructLabels labels; // null: a counter without labels
        final Counter counter;
        private final Map<List<String>, CounterDataPoint> series = new HashMap<>();
        final AtomicLong droppedMaxSeries = new AtomicLong();
        final AtomicLong droppedShort = new AtomicLong();

        Tally(CounterConfig config, StructLabels labels) {
            this.config = config;
            this.labels = labels;
            String name = MetricsCollector.PREFIX + config.name();
            // the client adds _total to a counter's name itself
            Counter.Builder builder = Counter.builder().name(name.endsWith("_total") ? name.substring(0, name.length() - 6) : name)
                    .help(config.help());
            if (labels != null) {
                builder.labelNames(labels.names().toArray(String[]::new));
            }
            this.counter = builder.build(); // not registered: the exporter's collector serves it with its config
        }

        void count(MemorySegment record) {
            if (labels == null) {
                counter.inc();
                return;
            }
            if (record.byteSize() < labels.size()) {
                droppedShort.incrementAndGet();
                return;
            }
            List<String> values = labels.values(record);
            CounterDataPoint point = series.get(values);
            if (point == null) {
                if (series.size() >= config.ringbuf().maxSeries()) {
                    droppedMaxSeries.incrementAndGet();
                    return;
                }
                point = counter.labelValues(values.toArray(String[]::new));
                series.put(values, point);
            }
            point.inc();
        }

        CounterSnapshot snapshot() {
            return counter.collect();
        }
    }

    private final List<Tally> tallies;
    private final RingBuffer ringBuffer;
    private final Thread poller;
    private volatile boolean stopping;

    private RingbufCounters(List<Tally> tallies, RingBuffer ringBuffer, String configName) {
        this.tallies = tallies;
        this.ringBuffer = ringBuffer;
        this.poller = Thread.ofPlatform().daemon().name("jbpf-export-ringbuf-" + configName).unstarted(this::poll);
    }

    /** Starts counting the records of the ring buffers the tallies read (grouped by map: one handler per ring). */
    static RingbufCounters start(LoadedObject object, List<Tally> tallies, String configName) {
        Map<String, List<Tally>> byMap = new LinkedHashMap<>();
        for (Tally tally : tallies) {
            byMap.computeIfAbsent(tally.config.ringbuf().map(), m -> new ArrayList<>()).add(tally);
        }
        RingBuffer.Builder builder = RingBuffer.builder();
        byMap.forEach((mapName, readers) -> {
            BpfMap map = object.map(mapName);
            builder.add(map, record -> {
                for (Tally tally : readers) {
                    tally.count(record);
                }
            });
        });
        RingbufCounters counters = new RingbufCounters(List.copyOf(tallies), builder.build(), configName);
        counters.poller.start();
        return counters;
    }

    private void poll() {
        try {
            while (!stopping) {
                ringBuffer.poll(Duration.ofMillis(100));
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "ring buffer counters stopped: " + e.getMessage());
            }
        }
    }

    List<Tally> tallies() {
        return tallies;
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
