package dev.jbpf.exporter;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code /metrics} with the Prometheus client's scrape handler (format negotiation,
 * OpenMetrics, protobuf, gzip, {@code name[]} filters, {@code debug}), one response per round of
 * scrapes: scrapes that ask the same (method, query, Accept, Accept-Encoding) and arrive while a
 * response is being made wait for the next one and are all sent its bytes ({@link SharedRounds}).
 * So 50 concurrent scrapers of a 100,000-series map cost one map read and one text body per
 * round, not one each. At most {@link #BODY_SLOTS} bodies are alive at once (being made or still
 * being sent): a round waits for a slot, which bounds the heap and paces rounds to the speed the
 * clients read (BENCHMARKS.md, "jbpf export under load"). A body is an ordinary byte array shared
 * read-only by the threads sending it; the JDK server's timeouts govern clients that stop reading.
 */
final class SharedScrapeHandler implements HttpHandler {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");

    /** What decides the bytes of a response. */
    private record RequestKind(String method, String query, String accept, String acceptEncoding) {
    }

    /** A response made once, sent to every scrape of its round; {@code holdsSlot}: released when the last has sent it. */
    private record Response(int status, List<Map.Entry<String, String>> headers, Body body, boolean holdsSlot) {
    }

    private static final int SEND_PIECE = 64 * 1024;

    /** The body's bytes without a copy: {@code buf[0, count)} of the stream the handler wrote. */
    private static final class Body extends ByteArrayOutputStream {
        Body(int size) {
            super(size);
        }

        /**
         * In pieces: the JDK server copies each write into a buffer of its size, so one write of
         * the body would be one more copy of it per scrape being sent.
         */
        void sendTo(OutputStream out) throws IOException {
            for (int at = 0; at < count; at += SEND_PIECE) {
                out.write(buf, at, Math.min(SEND_PIECE, count - at));
            }
        }
    }

    /** Bodies alive at once (being made or sent), so the heap holds a bounded number of them. */
    static final int BODY_SLOTS = 3;
    /** How long a round waits for a slot before it is made anyway. */
    static final int SLOT_WAIT_SECONDS = 10;

    private final PrometheusScrapeHandler scrapeHandler;
    private final Semaphore bodies = new Semaphore(BODY_SLOTS, true);
    private final SharedRounds<RequestKind, Response> rounds = new SharedRounds<>();
    /** The last body's size: the next body's buffer starts that large (as the client's own handler does). */
    private final AtomicInteger lastSize = new AtomicInteger(64 * 1024);

    SharedScrapeHandler(PrometheusRegistry registry) {
        this.scrapeHandler = new PrometheusScrapeHandler(registry);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            PrometheusHttpRequest request = new HttpExchangeAdapter(exchange).getRequest();
            Headers headers = exchange.getRequestHeaders();
            RequestKind kind = new RequestKind(exchange.getRequestMethod(), exchange.getRequestURI().getRawQuery(),
                    headers.getFirst("Accept"), headers.getFirst("Accept-Encoding"));
            try {
                rounds.use(kind, () -> make(request), response -> {
                    try {
                        send(exchange, kind.method(), response);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return null;
                }, response -> {
                    if (response.holdsSlot()) {
                        bodies.release();
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause(); // this scrape's connection failed: the JDK server closes it
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "scrape failed: " + e);
                send(exchange, kind.method(), failure(e));
            }
        } finally {
            exchange.close();
        }
    }

    /** A round's response, made once a body slot is free (or after {@link #SLOT_WAIT_SECONDS} regardless). */
    private Response make(PrometheusHttpRequest request) {
        boolean slot;
        try {
            slot = bodies.tryAcquire(SLOT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a scrape's turn", e);
        }
        if (!slot) {
            // liveness over the bound: clients that do not read their bodies must not stop every scrape
            LOG.log(System.Logger.Level.WARNING, BODY_SLOTS + " scrape bodies still being sent after " + SLOT_WAIT_SECONDS
                    + " s; making one more");
        }
        boolean made = false;
        try {
            Capture capture = new Capture(request, lastSize.get());
            try {
                scrapeHandler.handleRequest(capture);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (capture.status == 0) {
                throw new IllegalStateException("the scrape handler sent no response");
            }
            lastSize.set(Math.max(capture.body.size(), 1024));
            made = true;
            return new Response(capture.status, List.copyOf(capture.headers), capture.body, slot);
        } finally {
            if (!made && slot) {
                bodies.release();
            }
        }
    }

    private static Response failure(RuntimeException e) {
        Body body = new Body(256);
        body.writeBytes(("error scraping metrics: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        return new Response(500, List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")), body, false);
    }

    private static void send(HttpExchange exchange, String method, Response response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        for (Map.Entry<String, String> header : response.headers()) {
            out.add(header.getKey(), header.getValue());
        }
        int size = response.body().size();
        // -1: no body (HEAD, or nothing to send); otherwise the exact length, also for gzip bodies
        // (the client's handler streams those chunked; here they are complete before sending)
        long length = "HEAD".equals(method) || size == 0 ? -1 : size;
        if (length > 0) {
            out.remove("Content-Length"); // the JDK server sets it from the length
        }
        exchange.sendResponseHeaders(response.status(), length);
        if (length > 0) {
            try (OutputStream body = exchange.getResponseBody()) {
                response.body().sendTo(body);
            }
        }
    }

    /** The exchange the client's handler answers: headers, status and body kept for the round. */
    private static final class Capture implements PrometheusHttpExchange, PrometheusHttpResponse {
        private final PrometheusHttpRequest request;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private final Body body;
        private int status;

        Capture(PrometheusHttpRequest request, int size) {
            this.request = request;
            this.body = new Body(size);
        }

        @Override
        public PrometheusHttpRequest getRequest() {
            return request;
        }

        @Override
        public PrometheusHttpResponse getResponse() {
            return this;
        }

        @Override
        public void setHeader(String name, String value) {
            headers.add(Map.entry(name, value));
        }

        @Override
        public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
            status = statusCode;
            return body;
        }

        @Override
        public void handleException(IOException e) throws IOException {
            throw e;
        }

        @Override
        public void handleException(RuntimeException e) {
            throw e;
        }

        @Override
        public void close() {
        }
    }
}
