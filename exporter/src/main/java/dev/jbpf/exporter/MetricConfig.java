package dev.jbpf.exporter;

import java.util.List;

/**
 * A metric of a config: its name (also the name of the map it reads), help and labels.
 * Either a {@link CounterConfig} or a {@link HistogramConfig}.
 */
public sealed interface MetricConfig permits CounterConfig, HistogramConfig {
    /** The metric's name without the {@code ebpf_exporter_} prefix; the map has this name. */
    String name();

    String help();

    /** The labels in key order (a histogram's last one is its bucket index); empty with {@link #btfLabels()}. */
    List<LabelConfig> labels();

    /** {@code labels_from_btf}: labels from the fields of the key's (or record's) BTF struct; null when absent. */
    BtfLabelsConfig btfLabels();

    /** The line of the metric's {@code name}. */
    SourceLine where();

    /** The map read for this metric: ebpf_exporter looks up the map named like the metric (a ring buffer counter: its ring buffer). */
    default String mapName() {
        return name();
    }
}
