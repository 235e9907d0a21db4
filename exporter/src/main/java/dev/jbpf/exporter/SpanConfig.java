package dev.jbpf.exporter;

import java.util.List;

/**
 * An entry of {@code tracing.spans}: each record of the ring buffer {@code ringbuf} becomes one
 * OpenTelemetry span. The record's bytes are decoded into label values as a map key is (the
 * same {@link LabelConfig}s and decoders); labels of the names {@code trace_id},
 * {@code parent_span_id}, {@code span_id} (hex), {@code span_monotonic_timestamp_ns},
 * {@code span_duration_ns} (decimal) and {@code span_name} make the span itself, every other
 * label becomes a string attribute of it.
 *
 * @param name the span's name (a {@code span_name} label overrides it); the ring buffer's name when the config gives none
 * @param ringbuf the {@code BPF_MAP_TYPE_RINGBUF} map of the object whose records are spans
 * @param service the {@code service.name} of the spans' resource, or null for the default
 *     ({@code OTEL_SERVICE_NAME}, else {@code ebpf_exporter})
 * @param recordType jbpf's {@code ringbuf_record}: the BTF struct each record holds, whose size
 *     the labels must fit in, or null (then only the records themselves say their size)
 * @param labels the record's layout, from its first byte
 * @param where the line of the span's {@code ringbuf}
 */
public record SpanConfig(String name, String ringbuf, String service, String recordType, List<LabelConfig> labels,
        SourceLine where) {
    /** The labels that make the span rather than an attribute of it. */
    static final String TRACE_ID = "trace_id";
    static final String PARENT_SPAN_ID = "parent_span_id";
    static final String SPAN_ID = "span_id";
    static final String START = "span_monotonic_timestamp_ns";
    static final String DURATION = "span_duration_ns";
    static final String SPAN_NAME = "span_name";

    public SpanConfig {
        labels = List.copyOf(labels);
    }

    /** The bytes of a record the labels read: their sizes plus paddings. */
    int labelBytes() {
        return labels.stream().mapToInt(l -> l.size() + l.padding()).sum();
    }
}
