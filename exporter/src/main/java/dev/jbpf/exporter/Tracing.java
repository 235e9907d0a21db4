package dev.jbpf.exporter;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The exporter's span pipeline, as ebpf_exporter's: one span processor (a batch processor and
 * the span exporter that OpenTelemetry's autoconfiguration makes from {@code OTEL_*} environment
 * variables and {@code otel.*} system properties: OTLP over HTTP/protobuf to
 * {@code http://localhost:4318} unless they say otherwise), shared by one tracer provider per
 * service name, whose resource is just {@code service.name}. Spans are always sampled and keep
 * the trace and span ids their records give ({@link #withIds}). Owns the processor (and through
 * it the exporter's HTTP client); {@link #flush()} sends what is batched, {@link #close()}
 * flushes and shuts it down. Thread-safe.
 */
final class Tracing implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");
    /** The service of spans whose config names none and no OTEL_SERVICE_NAME is set, as ebpf_exporter's. */
    static final String DEFAULT_SERVICE = "ebpf_exporter";
    /** The instrumentation scope of the spans. */
    static final String SCOPE = "dev.jbpf.exporter";
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final long FLUSH_SECONDS = 10;

    private final SpanProcessor processor;
    private final String defaultService;
    private final Map<String, SdkTracerProvider> providers = new ConcurrentHashMap<>();
    private final PresetIds ids = new PresetIds();
    private volatile boolean closed;

    /** With the given processor (owned from now on) and default service name. */
    Tracing(SpanProcessor processor, String defaultService) {
        this.processor = processor;
        this.defaultService = defaultService;
    }

    /**
     * The pipeline OpenTelemetry's autoconfiguration describes: {@code OTEL_TRACES_EXPORTER}
     * (default {@code otlp}; {@code none} sends nothing), {@code OTEL_EXPORTER_OTLP_ENDPOINT},
     * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, {@code _HEADERS}, {@code _TIMEOUT},
     * {@code _COMPRESSION}, {@code OTEL_BSP_*}, {@code OTEL_SERVICE_NAME} (the default service;
     * {@code ebpf_exporter} when unset) and their {@code otel.*} system properties. Only its span
     * exporter and batch processor are taken: no metrics or logs are exported, no global is set.
     *
     * @throws IllegalStateException the variables describe no exporter this build has (e.g.
     *     {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc}: only http/protobuf is built in)
     */
    static Tracing fromEnvironment() {
        AtomicReference<String> service = new AtomicReference<>(DEFAULT_SERVICE);
        List<SpanProcessor> processors = new ArrayList<>();
        AutoConfiguredOpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .disableShutdownHook()
                    // ebpf_exporter's defaults (Go's autoexport sends OTLP over HTTP; Java's default is gRPC)
                    .addPropertiesSupplier(() -> Map.of("otel.service.name", DEFAULT_SERVICE,
                            "otel.exporter.otlp.protocol", "http/protobuf"))
                    .addPropertiesCustomizer(config -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                    .addSpanProcessorCustomizer((made, config) -> {
                        // taken for the tracer providers of the services; the SDK built here keeps a no-op
                        synchronized (processors) {
                            processors.add(made);
                        }
                        String name = config.getString("otel.service.name");
                        if (name != null && !name.isBlank()) {
                            service.set(name);
                        }
                        return SpanProcessor.composite();
                    })
                    .build();
        } catch (ConfigurationException | IllegalArgumentException | IllegalStateException e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getMessage() != null && cause.getMessage().startsWith("Unexpected configuration")) {
                cause = cause.getCause();
            }
            throw new IllegalStateException("tracing: the OTEL_* settings describe no span exporter jbpf export can make ("
                    + cause.getMessage() + "); jbpf export sends spans over OTLP http/protobuf only (OTEL_EXPORTER_OTLP_PROTOCOL"
                    + " unset or http/protobuf, OTEL_EXPORTER_OTLP_ENDPOINT default http://localhost:4318), or with"
                    + " OTEL_TRACES_EXPORTER=none not at all", e);
        }
        sdk.getOpenTelemetrySdk().close(); // its own providers hold no-ops; the processors taken stay open
        if (processors.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "tracing: no span exporter configured (OTEL_TRACES_EXPORTER=none or"
                    + " OTEL_SDK_DISABLED=true): spans are decoded but not sent");
        }
        return new Tracing(SpanProcessor.composite(processors), service.get());
    }

    /** The tracer of spans of {@code service} (null: the default service). */
    Tracer tracer(String service) {
        String name = service == null ? defaultService : service;
        return providers.computeIfAbsent(name, n -> SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(SERVICE_NAME, n)))
                .setSampler(Sampler.alwaysOn())
                .setIdGenerator(ids)
                .addSpanProcessor(new Shared(processor))
                .build()).get(SCOPE);
    }

    /** The service name of spans whose config names none. */
    String defaultService() {
        return defaultService;
    }

    /**
     * Runs {@code start} (which starts one span) with the ids the span is to have: {@code traceId}
     * for a span without parent (null: a random one), {@code spanId} (null: a random one).
     */
    <T> T withIds(String traceId, String spanId, java.util.function.Supplier<T> start) {
        ids.preset.set(new String[] {traceId, spanId});
        try {
            return start.get();
        } finally {
            ids.preset.remove();
        }
    }

    /** Sends the spans batched so far (waits up to 10 s). */
    void flush() {
        if (!closed) {
            processor.forceFlush().join(FLUSH_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Flushes and shuts down the processor and its exporter (waits up to 10 s). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        providers.values().forEach(SdkTracerProvider::close); // their Shared processors do not shut the real one
        CompletableResultCode done = processor.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
        if (!done.isSuccess()) {
            LOG.log(System.Logger.Level.WARNING, "tracing: spans may be lost: the span exporter did not finish within "
                    + FLUSH_SECONDS + " s");
        }
    }

    /**
     * The ids of the span being started on this thread, as ebpf_exporter's id generator takes them
     * from the record; random ones otherwise.
     */
    private static final class PresetIds implements IdGenerator {
        private static final IdGenerator RANDOM = IdGenerator.random();
        final ThreadLocal<String[]> preset = new ThreadLocal<>();

        @Override
        public String generateSpanId() {
            String[] ids = preset.get();
            return ids != null && ids[1] != null ? ids[1] : RANDOM.generateSpanId();
        }

        @Override
        public String generateTraceId() {
            String[] ids = preset.get();
            return ids != null && ids[0] != null ? ids[0] : RANDOM.generateTraceId();
        }
    }

    /** The shared processor as each service's provider sees it: shutting a provider down leaves it open. */
    private record Shared(SpanProcessor delegate) implements SpanProcessor {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
            delegate.onStart(parentContext, span);
        }

        @Override
        public boolean isStartRequired() {
            return delegate.isStartRequired();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            delegate.onEnd(span);
        }

        @Override
        public boolean isEndRequired() {
            return delegate.isEndRequired();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return delegate.forceFlush();
        }
    }
}
