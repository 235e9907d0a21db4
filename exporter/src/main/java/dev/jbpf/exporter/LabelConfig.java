package dev.jbpf.exporter;

import java.util.List;

/**
 * One label of a metric: {@code size} bytes of the map's key (then {@code padding} bytes
 * skipped), turned into a string by its decoders in order.
 *
 * @param name the Prometheus label name
 * @param size bytes of the key this label reads (> 0)
 * @param padding bytes skipped after it
 * @param decoders at least one
 * @param where the line of the label's {@code name}
 */
public record LabelConfig(String name, int size, int padding, List<DecoderConfig> decoders, SourceLine where) {
    public LabelConfig {
        decoders = List.copyOf(decoders);
    }
}
