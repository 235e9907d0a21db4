package dev.jbpf.exporter;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Exporter#start} needs, as ebpf_exporter's flags name it.
 *
 * @param configDir {@code --config.dir}: NAME.yaml and NAME.bpf.o of every config
 * @param configNames {@code --config.names}; empty: every NAME.yaml of the directory, read again by
 *     each {@link Exporter#reload()} (jbpf's; ebpf_exporter requires names)
 * @param listenAddress {@code --web.listen-address} (ebpf_exporter's default: {@code :9435})
 * @param strict {@code --config.strict}: a program that does not attach is an error (else it
 *     is reported, and {@code ebpf_exporter_ebpf_program_attached} says 0)
 */
public record ExporterOptions(Path configDir, List<String> configNames, ListenAddress listenAddress, boolean strict) {
    /** ebpf_exporter's default port. */
    public static final int DEFAULT_PORT = 9435;

    public ExporterOptions {
        configNames = List.copyOf(configNames);
    }
}
