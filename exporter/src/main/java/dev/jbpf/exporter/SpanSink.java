package dev.jbpf.exporter;

import dev.jbpf.ringbuf.RingBuffer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One entry of {@code tracing.spans}: turns each record of its ring buffer into a span, as
 * ebpf_exporter does. The record's first bytes (the labels' sizes plus paddings; a longer record
 * is cut there, a shorter one is a decoder error) go through the labels' decoders
 * ({@link Decoders#decodeLabels}, as a map key); then {@code trace_id} (32 hex digits, not all
 * zero), {@code parent_span_id} and {@code span_id} (16 hex digits; all zero: none, and a random
 * span id), {@code span_monotonic_timestamp_ns} (bpf_ktime_get_ns, CLOCK_MONOTONIC, made wall
 * time against the clocks read now; absent: now) and {@code span_duration_ns} make the span,
 * {@code span_name} renames it, and every other label is a string attribute, followed by
 * {@code ebpf_exporter.config}. A record whose labels cannot be decoded counts in
 * {@code ebpf_exporter_decoder_errors_total}; one a regexp decoder skips is dropped. Called by
 * the config's {@link RingbufPoller} thread only; never throws.
 */
final class SpanSink implements Consumer<MemorySegment> {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");
    private static final String NO_SPAN_ID = SpanId.getInvalid();

    private final SpanConfig config;
    private final String configName;
    private final Decoders decoders;
    private final Tracing tracing;
    private final Tracer tracer;
    private final AtomicLong errors;
    private final int labelBytes;
    private boolean errorLogged;

    /**
     * @param errors the config's count of records that could not be decoded
     */
    SpanSink(SpanConfig config, String configName, Decoders decoders, Tracing tracing, AtomicLong errors) {
        this.config = config;
        this.configName = configName;
        this.decoders = decoders;
        this.tracing = tracing;
        this.tracer = tracing.tracer(config.service());
        this.errors = errors;
        this.labelBytes = config.labelBytes();
    }

    @Override
    public void accept(MemorySegment record) {
        try {
            byte[] bytes = RingBuffer.copy(record.byteSize() > labelBytes ? record.asSlice(0, labelBytes) : record);
            emit(decoders.decodeLabels(bytes, config.labels()));
        } catch (SkipLabelSet skip) {
            // a regexp decoder matched nothing: no span, as ebpf_exporter
        } catch (DecodeException | RuntimeException e) {
            errors.incrementAndGet();
            if (!errorLogged) {
                errorLogged = true;
                LOG.log(System.Logger.Level.WARNING, "config " + configName + ", span " + config.name() + " (ring buffer "
                        + config.ringbuf() + "): a record was not made a span: " + e.getMessage()
                        + " (further ones count in ebpf_exporter_decoder_errors_total)");
            }
        }
    }

    /** Makes and ends the span of one record's label values. */
    void emit(List<String> values) throws DecodeException {
        String name = config.name();
        String traceId = null;
        String parentId = null;
        String spanId = null;
        long start = Long.MIN_VALUE;
        long duration = 0;
        AttributesBuilder attributes = Attributes.builder();
        for (int i = 0; i < values.size(); i++) {
            String label = config.labels().get(i).name();
            String value = values.get(i);
            switch (label) {
                case SpanConfig.TRACE_ID -> {
                    if (!TraceId.isValid(value)) {
                        throw new DecodeException("trace_id '" + value + "' is not a trace id (32 hex digits, not all zero)");
                    }
                    traceId = value;
                }
                case SpanConfig.PARENT_SPAN_ID -> parentId = spanId(label, value);
                case SpanConfig.SPAN_ID -> spanId = spanId(label, value);
                case SpanConfig.START -> start = wallClockNanos(unsigned(label, value));
                case SpanConfig.DURATION -> duration = unsigned(label, value);
                case SpanConfig.SPAN_NAME -> name = value;
                default -> attributes.put(label, value);
            }
        }
        attributes.put("ebpf_exporter.config", configName);
        if (start == Long.MIN_VALUE) {
            start = wallClockNanos(System.nanoTime());
        }
        SpanBuilder builder = tracer.spanBuilder(name).setStartTimestamp(start, TimeUnit.NANOSECONDS)
                .setAllAttributes(attributes.build());
        if (traceId != null && parentId != null) {
            builder.setParent(Context.root().with(Span.wrap(SpanContext.create(traceId, parentId, TraceFlags.getSampled(),
                    TraceState.getDefault()))));
        } else {
            builder.setNoParent(); // a root span: of the record's trace, else of a random one
        }
        // without a trace id both ids are random, as ebpf_exporter's generator makes them
        Span span = tracing.withIds(traceId, traceId == null ? null : spanId, builder::startSpan);
        span.end(start + duration, TimeUnit.NANOSECONDS);
    }

    /** A span id, or null for all zeros (none: the span is a root, or its id is made). */
    private static String spanId(String label, String value) throws DecodeException {
        if (value.equals(NO_SPAN_ID)) {
            return null;
        }
        if (!SpanId.isValid(value)) {
            throw new DecodeException(label + " '" + value + "' is not a span id (16 hex digits)");
        }
        return value;
    }

    private static long unsigned(String label, String value) throws DecodeException {
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new DecodeException(label + " '" + value + "' is not an unsigned integer");
        }
    }

    /**
     * A bpf_ktime_get_ns() time (CLOCK_MONOTONIC, the clock of {@link System#nanoTime()} on Linux)
     * as nanoseconds since the epoch, against the clocks read now (as ebpf_exporter converts it).
     */
    static long wallClockNanos(long monotonicNanos) {
        Instant now = Instant.now();
        long monotonicNow = System.nanoTime();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() + (monotonicNanos - monotonicNow);
    }
}
