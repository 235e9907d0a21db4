package dev.jbpf.exporter;

/**
 * {@code ringbuf} of a counter (jbpf's, beyond ebpf_exporter): every record of the BPF ring
 * buffer map {@code map} adds 1 to the counter's series of the record's label set. The records
 * are read by a background poller of the exporter; the counts live in the Prometheus client's
 * {@code Counter}, so they start at 0 when the config is loaded.
 *
 * @param map the {@code BPF_MAP_TYPE_RINGBUF} map of the object
 * @param recordType the BTF struct each record holds (labels come from its fields)
 * @param maxSeries the most label sets the counter keeps; records of further sets are not counted
 *     but counted in {@code jbpf_exporter_ringbuf_records_dropped_total{reason="max_series"}}
 * @param where the line of {@code ringbuf}
 */
public record RingbufConfig(String map, String recordType, int maxSeries, SourceLine where) {
    /** max_series when the config does not say. */
    public static final int DEFAULT_MAX_SERIES = 1000;
}
