package dev.jbpf.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.jbpf.kallsyms.KernelSymbols;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A running exporter: the configs loaded and attached, their maps served as Prometheus metrics
 * on {@code /metrics} (read when scraped), with {@code /healthz} (the server answers) and
 * {@code /readyz} (every config loaded and attached). Owns the HTTP server and every config's
 * object, links and perf events; {@link #close()} stops serving, then detaches and unloads.
 * {@link #start} leaves nothing behind when it fails.
 */
public final class Exporter implements AutoCloseable {
    /** A program that did not attach: ebpf_exporter logs these and serves the rest. */
    public record AttachFailure(String config, String program, String section, String reason) {
        @Override
        public String toString() {
            return "config " + config + ": program " + program + " (SEC(\"" + section + "\")) did not attach: " + reason;
        }
    }

    private final List<ExporterConfig> configs;
    private final List<LoadedConfig> loaded = new ArrayList<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Decoders decoders = new Decoders();
    private MetricsCollector collector;
    private HTTPServer server;
    private volatile boolean ready;
    private boolean closed;

    private Exporter(List<ExporterConfig> configs) {
        this.configs = configs;
    }

    /**
     * Parses the configs, starts the HTTP server, loads and attaches every config, then serves.
     *
     * @throws ConfigException a config refused (file and line)
     * @throws IllegalStateException the address is in use, or (strict) a program did not attach
     * @throws dev.jbpf.BpfException loading failed
     */
    public static Exporter start(ExporterOptions options) {
        List<ExporterConfig> configs = ConfigParser.parse(options.configDir(), options.configNames());
        Exporter exporter = new Exporter(configs);
        try {
            exporter.server = startServer(options.listenAddress(), exporter.registry, exporter.new Pages());
            KernelSymbolsOnce symbols = new KernelSymbolsOnce();
            for (ExporterConfig config : configs) {
                exporter.loaded.add(LoadedConfig.load(config, symbols::get));
            }
            if (options.strict() && !exporter.attachFailures().isEmpty()) {
                throw new IllegalStateException("--config.strict: " + exporter.attachFailures().getFirst()
                        + (exporter.attachFailures().size() > 1 ? " (and " + (exporter.attachFailures().size() - 1) + " more)" : ""));
            }
            exporter.collector = new MetricsCollector(List.copyOf(exporter.loaded), exporter.decoders);
            exporter.registry.register(exporter.collector);
            exporter.collector.activate();
            exporter.ready = true;
            return exporter;
        } catch (RuntimeException | Error e) {
            exporter.close();
            throw e;
        }
    }

    private static HTTPServer startServer(ListenAddress address, PrometheusRegistry registry, HttpHandler pages) {
        HTTPServer.Builder builder = HTTPServer.builder().port(address.port()).registry(registry).defaultHandler(pages);
        if (address.host() != null) {
            builder.hostname(address.host());
        }
        try {
            return builder.buildAndStart();
        } catch (BindException e) {
            throw new IllegalStateException("--web.listen-address " + address + ": the address is in use (" + e.getMessage()
                    + "); stop what listens there or choose another port, e.g. --web.listen-address :" + (address.port() + 1), e);
        } catch (IOException e) {
            throw new IllegalStateException("--web.listen-address " + address + ": cannot listen (" + e.getMessage()
                    + "); give a local address and a free port", e);
        }
    }

    /** The port the server listens on (the chosen one when the address said port 0). */
    public int port() {
        return server.getPort();
    }

    /** The configs served, in --config.names order. */
    public List<ExporterConfig> configs() {
        return configs;
    }

    /** Whether every config is loaded and attached and the metrics are served (what /readyz says). */
    public boolean ready() {
        return ready;
    }

    /** The programs that did not attach, in config and program order. */
    public List<AttachFailure> attachFailures() {
        List<AttachFailure> failures = new ArrayList<>();
        for (LoadedConfig config : loaded) {
            for (LoadedConfig.Program program : config.programs()) {
                if (!program.attached()) {
                    failures.add(new AttachFailure(config.config().name(), program.program().name(),
                            program.program().section(), program.failure()));
                }
            }
        }
        return failures;
    }

    /** What a scrape of /metrics would return now. */
    public MetricSnapshots scrape() {
        return registry.scrape();
    }

    /** Stops serving, then detaches and unloads every config. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        RuntimeException failure = null;
        if (server != null) {
            server.close();
        }
        if (collector != null) {
            collector.deactivate(); // no scrape reads a map from now on
        }
        for (LoadedConfig config : loaded.reversed()) {
            try {
                config.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        loaded.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** /: a page linking /metrics, like ebpf_exporter's; /healthz and /readyz; 404 for the rest. */
    private final class Pages implements HttpHandler {
        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/healthz" -> reply(exchange, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> reply(exchange, ready ? 200 : 503, "text/plain; charset=utf-8",
                        ready ? "ready\n" : "not ready: configs are loading\n");
                case "/" -> reply(exchange, 200, "text/html; charset=utf-8", "<html><head><title>eBPF Exporter</title></head>"
                        + "<body><h1>eBPF Exporter (jbpf)</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n");
                default -> reply(exchange, 404, "text/plain; charset=utf-8", "not found: " + path + "\n");
            }
        }

        private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            } finally {
                exchange.close();
            }
        }
    }

    /** /proc/kallsyms read once, and only when a config has kaddrs. */
    private static final class KernelSymbolsOnce {
        private KernelSymbols symbols;

        KernelSymbols get() {
            if (symbols == null) {
                symbols = KernelSymbols.load();
            }
            return symbols;
        }
    }
}
