package dev.jbpf.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 (a port of its own), for tests: decodes each POST to
 * /v1/traces as an {@code ExportTraceServiceRequest} (protobuf, gzip or not) and keeps its spans
 * with their resource and scope, answering 200 with an empty response.
 */
final class OtlpReceiver implements AutoCloseable {
    /** A span as received, with the ids in hex and the attributes as strings. */
    record ReceivedSpan(String service, String scope, String name, String traceId, String spanId, String parentSpanId,
            long startNanos, long endNanos, Map<String, String> attributes) {
        long durationNanos() {
            return endNanos - startNanos;
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private int requests;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
                body = (gzip ? new GZIPInputStream(in) : in).readAllBytes();
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            List<ReceivedSpan> received = new ArrayList<>();
            for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                String service = attributes(resourceSpans.getResource()).get("service.name");
                for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : scopeSpans.getSpansList()) {
                        received.add(new ReceivedSpan(service, scopeSpans.getScope().getName(), span.getName(),
                                hex(span.getTraceId().toByteArray()), hex(span.getSpanId().toByteArray()),
                                hex(span.getParentSpanId().toByteArray()), span.getStartTimeUnixNano(),
                                span.getEndTimeUnixNano(), attributes(span.getAttributesList())));
                    }
                }
            }
            synchronized (this) {
                requests++;
                spans.addAll(received);
                notifyAll();
            }
            byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
            if (response.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response);
                }
            }
        }
    }

    private static Map<String, String> attributes(Resource resource) {
        return attributes(resource.getAttributesList());
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            AnyValue value = kv.getValue();
            map.put(kv.getKey(), value.hasStringValue() ? value.getStringValue() : value.toString().strip());
        }
        return map;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The spans received so far. */
    synchronized List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    synchronized int requests() {
        return requests;
    }

    /** Waits until {@code done} holds for the spans received (or the timeout passes); returns them. */
    synchronized List<ReceivedSpan> await(Predicate<List<ReceivedSpan>> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(spans)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
