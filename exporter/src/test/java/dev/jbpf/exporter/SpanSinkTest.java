package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Records made spans as ebpf_exporter makes them: ids from the record (zero parent: a root;
 * zero span id: a made one), the monotonic start made wall time, the duration, span_name, the
 * other labels as attributes, and records that cannot be decoded counted, not sent.
 */
@UnitTest
class SpanSinkTest {
    private static final Path YAML = Path.of("/configs/x.yaml");
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final Tracing tracing = new Tracing(SimpleSpanProcessor.create(exported), "default-service");
    private final AtomicLong errors = new AtomicLong();

    @AfterEach
    void close() {
        tracing.close();
    }

    private SpanSink sink(String yaml) {
        SpanConfig config = ConfigParser.parse("x", YAML, Path.of("/configs/x.bpf.o"), yaml).spans().getFirst();
        return new SpanSink(config, "x", new Decoders(), tracing, errors);
    }

    private static final String HEADER_AND_COMM = """
            tracing:
              spans:
                - name: exec
                  ringbuf: exec_spans
                  %s
                  labels:
                    - {name: trace_id, size: 16, decoders: [{name: hex}]}
                    - {name: parent_span_id, size: 8, decoders: [{name: hex}]}
                    - {name: span_id, size: 8, decoders: [{name: hex}]}
                    - {name: span_monotonic_timestamp_ns, size: 8, decoders: [{name: uint}]}
                    - {name: span_duration_ns, size: 8, decoders: [{name: uint}]}
                    - {name: comm, size: 8, decoders: [{name: string}]}
            """;

    /** A record: struct { u64 trace_hi, trace_lo, parent, span, start, duration; char comm[8]; } and extra bytes. */
    private static MemorySegment record(long traceHi, long traceLo, long parent, long span, long start, long duration,
            String comm, int extra) {
        ByteBuffer buffer = ByteBuffer.allocate(56 + extra).order(ByteOrder.nativeOrder());
        buffer.putLong(traceHi).putLong(traceLo).putLong(parent).putLong(span).putLong(start).putLong(duration);
        byte[] name = comm.getBytes(StandardCharsets.UTF_8);
        buffer.put(name, 0, Math.min(8, name.length));
        return MemorySegment.ofArray(buffer.array());
    }

    /** The hex decoder's text of a u64 as it lies in memory (little-endian). */
    private static String hex(long value) {
        return java.util.HexFormat.of().formatHex(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
    }

    @Test
    void aRecordIsASpanOfItsIdsTimesAndAttributes() {
        SpanSink sink = sink(HEADER_AND_COMM.formatted("service: svc"));
        long start = System.nanoTime() - 5_000_000_000L; // 5 s ago on the monotonic clock
        long wallBefore = System.currentTimeMillis() * 1_000_000L;
        sink.accept(record(0x1122, 0x3344, 0x55, 0x66, start, 250_000_000L, "sleep", 16)); // a longer record is cut
        SpanData span = exported.getFinishedSpanItems().getFirst();
        assertEquals("exec", span.getName());
        assertEquals(hex(0x1122) + hex(0x3344), span.getTraceId());
        assertEquals(hex(0x55), span.getParentSpanId());
        assertEquals(hex(0x66), span.getSpanId());
        assertEquals(250_000_000L, span.getEndEpochNanos() - span.getStartEpochNanos());
        long startWall = wallBefore - 5_000_000_000L;
        assertTrue(Math.abs(span.getStartEpochNanos() - startWall) < 1_000_000_000L, span.getStartEpochNanos() + " vs " + startWall);
        assertEquals("sleep", span.getAttributes().get(AttributeKey.stringKey("comm")));
        assertEquals("x", span.getAttributes().get(AttributeKey.stringKey("ebpf_exporter.config")));
        assertEquals(2, span.getAttributes().size());
        assertEquals("svc", span.getResource().getAttribute(AttributeKey.stringKey("service.name")));
        assertEquals(Tracing.SCOPE, span.getInstrumentationScopeInfo().getName());
        assertEquals(0, errors.get());
    }

    @Test
    void zeroIdsMakeARootSpanAndAMadeSpanId() {
        SpanSink sink = sink(HEADER_AND_COMM.formatted(""));
        sink.accept(record(0, 0x77, 0, 0, System.nanoTime(), 0, "a", 0));
        SpanData span = exported.getFinishedSpanItems().getFirst();
        assertEquals("0".repeat(16) + hex(0x77), span.getTraceId()); // the record's trace, with no parent in it
        assertEquals("0000000000000000", span.getParentSpanId());
        assertNotEquals("0000000000000000", span.getSpanId());
        assertEquals("default-service", span.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    }

    @Test
    void spanNameRenamesAndBadRecordsAreCountedNotSent() {
        SpanSink sink = sink(HEADER_AND_COMM.formatted("").replace("name: comm", "name: span_name"));
        sink.accept(record(1, 2, 0, 3, System.nanoTime(), 0, "renamed", 0));
        assertEquals(List.of("renamed"), exported.getFinishedSpanItems().stream().map(SpanData::getName).toList());
        assertEquals(0, errors.get());
        sink.accept(record(0, 0, 0, 3, System.nanoTime(), 0, "zero", 0)); // an all-zero trace id is no trace id
        sink.accept(MemorySegment.ofArray(new byte[40])); // shorter than the labels
        assertEquals(2, errors.get());
        assertEquals(1, exported.getFinishedSpanItems().size());
    }
}
