package dev.jbpf.exporter;

/**
 * Thrown by a decoder (regexp, when no pattern matches) to drop the whole label set of a map
 * entry from the metric, as ebpf_exporter's ErrSkipLabelSet does. Control flow: no stack trace.
 */
final class SkipLabelSet extends Exception {
    private static final long serialVersionUID = 1L;
    static final SkipLabelSet INSTANCE = new SkipLabelSet();

    private SkipLabelSet() {
        super("label set skipped", null, false, false);
    }
}
