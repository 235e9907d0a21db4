package dev.jbpf.exporter;

import java.util.List;

/**
 * An entry of {@code metrics.counters}: one series per distinct label set, valued by the u64
 * in the map (summed over CPUs for per-CPU maps unless the last label is {@code cpu}).
 */
public record CounterConfig(String name, String help, List<LabelConfig> labels, SourceLine where) implements MetricConfig {
    public CounterConfig {
        labels = List.copyOf(labels);
    }
}
