package dev.jbpf.exporter;

import java.util.List;

/**
 * An entry of {@code metrics.counters}: one series per distinct label set, valued by the u64
 * in the map (summed over CPUs for per-CPU maps unless the last label is {@code cpu}), or, with
 * {@code ringbuf}, by the records of a ring buffer.
 *
 * @param btfLabels {@code labels_from_btf}, or null (then {@code labels} says it)
 * @param ringbuf the ring buffer whose records it counts, or null (it reads the map named like it)
 */
public record CounterConfig(String name, String help, List<LabelConfig> labels, BtfLabelsConfig btfLabels,
        RingbufConfig ringbuf, SourceLine where) implements MetricConfig {
    public CounterConfig {
        labels = List.copyOf(labels);
    }

    /** A counter of ebpf_exporter's kind: explicit labels over the map named like it. */
    public CounterConfig(String name, String help, List<LabelConfig> labels, SourceLine where) {
        this(name, help, labels, null, null, where);
    }

    @Override
    public String mapName() {
        return ringbuf == null ? name : ringbuf.map();
    }
}
