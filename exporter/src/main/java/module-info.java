/**
 * jbpf's Prometheus exporter for Cloudflare ebpf_exporter's configs ({@code dev.jbpf.exporter}):
 * loads the configs' BPF objects through the loader and serves their maps with the official
 * Prometheus Java client (its HTTP server and exposition formats); their ring buffers' records
 * as OpenTelemetry spans (tracing), sent over OTLP.
 */
module dev.jbpf.exporter {
    requires transitive dev.jbpf.loader;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.exporter.common;
    requires io.prometheus.metrics.exporter.httpserver;
    requires jdk.httpserver;
    requires org.yaml.snakeyaml;
    // tracing.spans: the OpenTelemetry SDK, its autoconfiguration from OTEL_*, and (found by
    // ServiceLoader at run time) the OTLP span exporter and the JDK HttpClient sender
    requires io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires io.opentelemetry.sdk;
    requires io.opentelemetry.sdk.common;
    requires io.opentelemetry.sdk.trace;
    requires io.opentelemetry.sdk.autoconfigure;
    requires io.opentelemetry.sdk.autoconfigure.spi;

    exports dev.jbpf.exporter;
}
