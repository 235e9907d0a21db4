package dev.jbpf.exporter;

import java.util.List;

/**
 * {@code labels_from_btf} of a metric (jbpf's, beyond ebpf_exporter): the labels are fields of a
 * BTF struct (the map's key, or a ring buffer's record), each named after its field and formatted
 * by its type, with no decoder list. A histogram's last label is its bucket index.
 *
 * @param fields the fields to use, in label order; empty: every field of the struct, in order
 * @param where the line of {@code labels_from_btf}
 */
public record BtfLabelsConfig(List<String> fields, SourceLine where) {
    public BtfLabelsConfig {
        fields = List.copyOf(fields);
    }
}
