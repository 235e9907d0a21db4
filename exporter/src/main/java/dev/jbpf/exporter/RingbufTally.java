package dev.jbpf.exporter;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One ring buffer counter ({@code ringbuf:} counters): adds 1 per record to the Prometheus client
 * {@link Counter} under the record's labels ({@code labels_from_btf}, else none), up to the
 * counter's {@code max_series} label sets; records of further sets (and records shorter than
 * their struct) are counted as dropped instead. Fed by the config's {@link RingbufPoller}, whose
 * thread is the only one calling {@link #accept}.
 */
final class RingbufTally implements Consumer<MemorySegment> {
    final CounterConfig config;
    final StructLabels labels; // null: a counter without labels
    final Counter counter;
    private final Map<List<String>, CounterDataPoint> series = new HashMap<>();
    final AtomicLong droppedMaxSeries = new AtomicLong();
    final AtomicLong droppedShort = new AtomicLong();

    RingbufTally(CounterConfig config, StructLabels labels) {
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

    /** Counts one record (a view valid during the call only). */
    @Override
    public void accept(MemorySegment record) {
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
