package dev.jbpf.exporter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.jbpf.kallsyms.KernelSymbols;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A running exporter: the configs loaded and attached, their maps served as Prometheus metrics
 * on {@code /metrics} (read when scraped), with {@code /healthz} (the server answers) and
 * {@code /readyz} (every config loaded and attached). Owns the HTTP server and every config's
 * object, links and perf events; {@link #close()} stops serving, then detaches and unloads.
 * {@link #start} leaves nothing behind when it fails. {@link #reload()} re-reads the configs,
 * keeping the unchanged ones loaded.
 */
public final class Exporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");
    /** A program that did not attach: ebpf_exporter logs these and serves the rest. */
    public record AttachFailure(String config, String program, String section, String reason) {
        @Override
        public String toString() {
            return "config " + config + ": program " + program + " (SEC(\"" + section + "\")) did not attach: " + reason;
        }
    }

    /**
     * What a {@link #reload()} did, by config name.
     *
     * @param unchanged same YAML and object bytes: kept loaded, their maps (and counts) untouched
     * @param changed unloaded and loaded anew (their counts start again)
     * @param added loaded
     * @param removed unloaded
     */
    public record Reload(List<String> unchanged, List<String> changed, List<String> added, List<String> removed) {
        public Reload {
            unchanged = List.copyOf(unchanged);
            changed = List.copyOf(changed);
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }

        @Override
        public String toString() {
            return "unchanged " + unchanged + ", changed " + changed + ", added " + added + ", removed " + removed;
        }
    }

    /** A loaded config and the SHA-256 of its YAML and object bytes, which tell a reload whether it changed. */
    private record Served(LoadedConfig loaded, String digest) {
        String name() {
            return loaded.config().name();
        }
    }

    private final ExporterOptions options;
    /** Replaced as a whole by a reload (read by attachFailures and configs from any thread). */
    private volatile List<Served> served = List.of();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Decoders decoders = new Decoders();
    /** The span pipeline, made when a config with tracing.spans is first loaded; null before. */
    private Tracing tracing;
    private MetricsCollector collector;
    private HttpServer server;
    private ExecutorService serverThreads;
    private volatile boolean ready;
    private boolean closed;

    private Exporter(ExporterOptions options) {
        this.options = options;
    }

    /**
     * Parses the configs, starts the HTTP server, loads and attaches every config, then serves.
     *
     * @throws ConfigException a config refused (file and line)
     * @throws IllegalStateException the address is in use, or (strict) a program did not attach
     * @throws dev.jbpf.BpfException loading failed
     */
    public static Exporter start(ExporterOptions options) {
        Map<String, String> digests = new LinkedHashMap<>();
        List<ExporterConfig> configs = parse(options, digests);
        Exporter exporter = new Exporter(options);
        try {
            exporter.startServer(options.listenAddress());
            exporter.served = load(configs, digests, options.strict(), exporter.decoders, exporter.tracingFor(configs));
            exporter.collector = new MetricsCollector(exporter.served.stream().map(Served::loaded).toList(), exporter.decoders);
            exporter.registry.register(exporter.collector);
            exporter.collector.activate();
            exporter.ready = true;
            return exporter;
        } catch (RuntimeException | Error e) {
            exporter.close();
            throw e;
        }
    }

    /**
     * The configs of the options (every NAME.yaml of the directory when no names are given), with
     * the digest of each config's bytes put in {@code digests} (hashed before they are parsed: a
     * file rewritten meanwhile looks changed, never unchanged).
     */
    private static List<ExporterConfig> parse(ExporterOptions options, Map<String, String> digests) {
        List<String> names = options.configNames().isEmpty() ? ConfigParser.namesIn(options.configDir()) : options.configNames();
        for (String name : names) {
            digests.put(name, digest(options.configDir(), name));
        }
        return ConfigParser.parse(options.configDir(), names);
    }

    /** SHA-256 of NAME.yaml, then NAME.bpf.o ("" for a file that cannot be read: parsing says why). */
    private static String digest(Path dir, String name) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String file : List.of(name + ".yaml", name + ".bpf.o")) {
                try {
                    sha.update(Files.readAllBytes(dir.resolve(file)));
                } catch (IOException | InvalidPathException e) {
                    sha.update(new byte[] {0});
                }
                sha.update(new byte[] {'/'}); // the boundary between the two files
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /**
     * The span pipeline the configs need: made from the OTEL_* settings the first time a config
     * has spans (null while none has).
     */
    private Tracing tracingFor(List<ExporterConfig> configs) {
        if (tracing == null && configs.stream().anyMatch(c -> !c.spans().isEmpty())) {
            tracing = Tracing.fromEnvironment();
        }
        return tracing;
    }

    /** Loads and attaches the configs; all or nothing (a failure closes those loaded). */
    private static List<Served> load(List<ExporterConfig> configs, Map<String, String> digests, boolean strict,
            Decoders decoders, Tracing tracing) {
        List<Served> loaded = new ArrayList<>();
        try {
            KernelSymbolsOnce symbols = new KernelSymbolsOnce();
            for (ExporterConfig config : configs) {
                loaded.add(new Served(LoadedConfig.load(config, symbols::get, decoders, tracing), digests.get(config.name())));
            }
            List<AttachFailure> failures = attachFailures(loaded);
            if (strict && !failures.isEmpty()) {
                throw new IllegalStateException("--config.strict: " + failures.getFirst()
                        + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : ""));
            }
            return List.copyOf(loaded);
        } catch (RuntimeException | Error e) {
            closeAll(loaded, e);
            throw e;
        }
    }

    /**
     * Reads the config directory again (what SIGHUP does to {@code jbpf export}): configs whose
     * YAML and object bytes are unchanged stay loaded, so their maps keep counting; changed ones
     * are loaded anew, then the old ones unloaded; removed ones are unloaded; added ones loaded.
     * The configs read are the options' names, or every NAME.yaml of the directory when the
     * options name none. A reload that fails (a refused config, a failed load, under strict a
     * program that does not attach) changes nothing: the configs before it keep serving, and
     * {@code jbpf_exporter_reload_failures_total} and {@code jbpf_exporter_last_reload_success} say so.
     *
     * @throws ConfigException a config refused (file and line); the others as {@link #start}
     * @throws IllegalStateException the exporter is closed
     */
    public synchronized Reload reload() {
        if (closed) {
            throw new IllegalStateException("the exporter is closed");
        }
        try {
            Reload reload = swap();
            collector.reloaded(true);
            return reload;
        } catch (RuntimeException | Error e) {
            collector.reloaded(false);
            throw e;
        }
    }

    private Reload swap() {
        Map<String, String> digests = new LinkedHashMap<>();
        List<ExporterConfig> configs = parse(options, digests);
        Map<String, Served> before = new LinkedHashMap<>();
        served.forEach(s -> before.put(s.name(), s));
        List<ExporterConfig> toLoad = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (ExporterConfig config : configs) {
            Served old = before.get(config.name());
            if (old == null) {
                added.add(config.name());
                toLoad.add(config);
            } else if (old.digest().equals(digests.get(config.name()))) {
                unchanged.add(config.name());
            } else {
                changed.add(config.name());
                toLoad.add(config);
            }
        }
        List<String> removed = before.keySet().stream().filter(name -> !digests.containsKey(name)).toList();
        // the new configs are loaded while the old ones still serve: a failure leaves the old set as it was
        Map<String, Served> fresh = new LinkedHashMap<>();
        load(toLoad, digests, options.strict(), decoders, tracingFor(toLoad)).forEach(s -> fresh.put(s.name(), s));
        List<Served> next = new ArrayList<>();
        for (ExporterConfig config : configs) {
            next.add(fresh.containsKey(config.name()) ? fresh.get(config.name()) : before.get(config.name()));
        }
        collector.replace(next.stream().map(Served::loaded).toList()); // no scrape reads the old ones after this
        served = List.copyOf(next);
        List<Served> retired = before.values().stream().filter(s -> !unchanged.contains(s.name())).toList();
        RuntimeException failure = closeAll(retired, null);
        if (failure != null) {
            LOG.log(System.Logger.Level.WARNING, "reload: unloading a config failed: " + failure.getMessage());
        }
        if (retired.stream().anyMatch(s -> !s.loaded().config().spans().isEmpty())) {
            tracing.flush(); // the last spans of the configs unloaded are sent now
        }
        return new Reload(unchanged, changed, added, removed);
    }

    /** Closes the configs, last first; the first failure is returned (with the others suppressed) or added to {@code into}. */
    private static RuntimeException closeAll(List<Served> configs, Throwable into) {
        RuntimeException failure = null;
        for (Served config : configs.reversed()) {
            try {
                config.loaded().close();
            } catch (RuntimeException e) {
                if (into != null) {
                    into.addSuppressed(e);
                } else if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /**
     * The JDK's HTTP server with the Prometheus client's scrape handler on /metrics, as the
     * client's HTTPServer wires them, except that concurrent scrapes share one response
     * ({@link SharedScrapeHandler}); a virtual thread per exchange, so scrapes waiting for a
     * round hold no platform thread.
     */
    private void startServer(ListenAddress address) {
        InetSocketAddress socket = address.host() == null ? new InetSocketAddress(address.port())
                : new InetSocketAddress(address.host(), address.port());
        try {
            server = HttpServer.create(socket, 0);
        } catch (BindException e) {
            throw new IllegalStateException("--web.listen-address " + address + ": the address is in use (" + e.getMessage()
                    + "); stop what listens there or choose another port, e.g. --web.listen-address :" + (address.port() + 1), e);
        } catch (IOException e) {
            throw new IllegalStateException("--web.listen-address " + address + ": cannot listen (" + e.getMessage()
                    + "); give a local address and a free port", e);
        }
        serverThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jbpf-export-http-", 0).factory());
        server.setExecutor(serverThreads);
        server.createContext("/", new Pages());
        server.createContext("/metrics", new SharedScrapeHandler(registry));
        server.start();
    }

    /** The port the server listens on (the chosen one when the address said port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The configs served now, in --config.names order (name order without names). */
    public List<ExporterConfig> configs() {
        return served.stream().map(s -> s.loaded().config()).toList();
    }

    /** Whether every config is loaded and attached and the metrics are served (what /readyz says). */
    public boolean ready() {
        return ready;
    }

    /** The programs that did not attach, in config and program order. */
    public List<AttachFailure> attachFailures() {
        return attachFailures(served);
    }

    private static List<AttachFailure> attachFailures(List<Served> configs) {
        List<AttachFailure> failures = new ArrayList<>();
        for (LoadedConfig config : configs.stream().map(Served::loaded).toList()) {
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
        if (server != null) {
            server.stop(0);
        }
        if (serverThreads != null) {
            serverThreads.shutdownNow(); // scrapes still sending are cut off, as stop(0) does to their connections
        }
        if (collector != null) {
            collector.deactivate(); // no scrape reads a map from now on
        }
        RuntimeException failure = closeAll(served, null);
        served = List.of();
        if (tracing != null) {
            try {
                tracing.close(); // the ring buffers are read no more: the last spans are sent, then the exporter shut down
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
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
