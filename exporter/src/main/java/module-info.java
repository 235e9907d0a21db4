/**
 * jbpf's Prometheus exporter for Cloudflare ebpf_exporter's configs ({@code dev.jbpf.exporter}):
 * loads the configs' BPF objects through the loader and serves their maps with the official
 * Prometheus Java client (its HTTP server and exposition formats).
 */
module dev.jbpf.exporter {
    requires transitive dev.jbpf.loader;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.exporter.common;
    requires io.prometheus.metrics.exporter.httpserver;
    requires jdk.httpserver;
    requires org.yaml.snakeyaml;

    exports dev.jbpf.exporter;
}
