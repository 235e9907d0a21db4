package dev.jbpf.exporter;

/**
 * A map key a label's decoders could not turn into a label value (ebpf_exporter counts these in
 * {@code ebpf_exporter_decoder_errors_total} and skips the metric for that scrape).
 */
final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    DecodeException(String message) {
        super(message);
    }
}
