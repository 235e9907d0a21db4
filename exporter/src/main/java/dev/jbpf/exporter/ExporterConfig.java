package dev.jbpf.exporter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One config of ebpf_exporter's layout: {@code NAME.yaml} beside {@code NAME.bpf.o} in the
 * config directory. A value; loading it is {@link Exporter}'s.
 *
 * @param name the config's name ({@code --config.names})
 * @param yamlFile NAME.yaml
 * @param objectFile NAME.bpf.o
 * @param kaddrs kernel symbols whose addresses are written to the object's {@code kaddr_SYMBOL} before load
 * @param cgroupIdMap the map the exporter keeps filled with matching cgroups, or null
 * @param spans {@code tracing.spans}: ring buffers whose records become OpenTelemetry spans
 */
public record ExporterConfig(String name, Path yamlFile, Path objectFile, List<CounterConfig> counters,
        List<HistogramConfig> histograms, List<KernelAddress> kaddrs, CgroupIdMapConfig cgroupIdMap, List<SpanConfig> spans) {
    public ExporterConfig {
        counters = List.copyOf(counters);
        histograms = List.copyOf(histograms);
        kaddrs = List.copyOf(kaddrs);
        spans = List.copyOf(spans);
    }

    /** A config of metrics only (no cgroup_id_map, no spans). */
    public ExporterConfig(String name, Path yamlFile, Path objectFile, List<CounterConfig> counters,
            List<HistogramConfig> histograms, List<KernelAddress> kaddrs) {
        this(name, yamlFile, objectFile, counters, histograms, kaddrs, null, List.of());
    }

    /** Counters, then histograms, as ebpf_exporter collects them. */
    public List<MetricConfig> metrics() {
        List<MetricConfig> all = new ArrayList<>(counters);
        all.addAll(histograms);
        return all;
    }
}
