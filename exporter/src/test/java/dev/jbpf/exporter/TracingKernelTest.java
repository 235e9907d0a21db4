package dev.jbpf.exporter;

import static dev.jbpf.exporter.ExporterKernelTest.install;
import static dev.jbpf.exporter.ExporterKernelTest.programsNamed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.exporter.OtlpReceiver.ReceivedSpan;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tracing.spans on the running kernel: bpf-src/export_spans.bpf.c makes one span per process
 * image (exec to exit), its config (ebpf_exporter's tracing form) names them, and the exporter
 * sends them over OTLP/HTTP to a receiver of the test's on 127.0.0.1, set up as a user would:
 * with OTEL_EXPORTER_OTLP_ENDPOINT (here its system property, otel.exporter.otlp.endpoint).
 * Processes the test starts ({@code /bin/sleep 0.2}) are found among the spans by pid.
 */
@KernelTest
class TracingKernelTest {
    private static final long SLEEP_NANOS = 200_000_000L;
    private static final List<String> PROPERTIES = List.of("otel.exporter.otlp.endpoint", "otel.bsp.schedule.delay");

    @TempDir
    Path dir;
    private OtlpReceiver receiver;

    @BeforeEach
    void receiver() throws Exception {
        receiver = new OtlpReceiver();
        System.setProperty("otel.exporter.otlp.endpoint", receiver.endpoint());
    }

    @AfterEach
    void stopReceiver() {
        PROPERTIES.forEach(System::clearProperty);
        receiver.close();
    }

    private ExporterOptions options(String... names) {
        return new ExporterOptions(dir, List.of(names), ListenAddress.parse("127.0.0.1:0"), true);
    }

    /** Runs the command to its end; its pid. */
    private static long run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor());
        return process.pid();
    }

    private static Predicate<List<ReceivedSpan>> hasPids(Set<Long> pids) {
        return spans -> pids.stream().allMatch(pid -> spans.stream().anyMatch(s -> String.valueOf(pid).equals(s.attributes().get("pid"))));
    }

    private static ReceivedSpan byPid(List<ReceivedSpan> spans, long pid, String comm) {
        return spans.stream().filter(s -> String.valueOf(pid).equals(s.attributes().get("pid"))
                && comm.equals(s.attributes().get("comm"))).findFirst()
                .orElseThrow(() -> new AssertionError("no span of " + comm + " pid " + pid + " among " + spans.size()));
    }

    /**
     * The programs of these names still loaded, waiting up to 5 s for them to go: the kernel frees
     * a tp_btf program after its raw tracepoint link, which it releases after an RCU grace period.
     */
    private static long programsGone(Set<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long left = programsNamed(names);
        while (left > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = programsNamed(names);
        }
        return left;
    }

    @Test
    void eachProcessIsASpanWithItsAttributesDurationAndParent() throws Exception {
        install(dir, "export_spans");
        System.setProperty("otel.bsp.schedule.delay", "100");
        List<Long> sleeps = new ArrayList<>();
        long shell;
        long startedAt = Instant.now().toEpochMilli() * 1_000_000L;
        List<ReceivedSpan> spans;
        try (Exporter exporter = Exporter.start(options("export_spans"))) {
            assertTrue(exporter.ready());
            for (int i = 0; i < 3; i++) {
                sleeps.add(run("/bin/sleep", "0.2"));
            }
            // sh forks, its child execs sleep: that span is the child of sh's, in sh's trace
            shell = run("/bin/sh", "-c", "/bin/sleep 0.2; true");
            Set<Long> all = new java.util.HashSet<>(sleeps);
            all.add(shell);
            spans = receiver.await(hasPids(all), Duration.ofSeconds(20)); // sent by the batch processor every 100 ms
            assertTrue(hasPids(all).test(spans), "spans of " + all + " not received: " + spans.size() + " spans");
            assertEquals(0, exporter.scrape().stream().filter(m -> m.getMetadata().getPrometheusName()
                    .equals("ebpf_exporter_decoder_errors")).mapToDouble(m -> m.getDataPoints().stream()
                            .mapToDouble(p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p)
                                    .getValue()).sum()).sum());
        }
        long endedAt = Instant.now().toEpochMilli() * 1_000_000L;
        for (long pid : sleeps) {
            ReceivedSpan span = byPid(spans, pid, "sleep");
            assertEquals("exec", span.name());
            assertEquals("jbpf-exec-test", span.service());
            assertEquals(Tracing.SCOPE, span.scope());
            assertEquals(Map.of("comm", "sleep", "pid", String.valueOf(pid), "ppid", String.valueOf(ProcessHandle.current().pid()),
                    "ebpf_exporter.config", "export_spans"), span.attributes());
            assertTrue(span.durationNanos() >= SLEEP_NANOS && span.durationNanos() < SLEEP_NANOS + 800_000_000L,
                    "sleep 0.2 lasted " + span.durationNanos() + " ns");
            // the kernel's monotonic start made wall time: within the test's run
            assertTrue(span.startNanos() >= startedAt - 1_000_000_000L && span.endNanos() <= endedAt + 1_000_000_000L,
                    "span from " + span.startNanos() + " to " + span.endNanos() + ", test from " + startedAt + " to " + endedAt);
            assertNotEquals("0".repeat(32), span.traceId());
            assertEquals(32, span.traceId().length());
            assertNotEquals("0".repeat(16), span.spanId());
            assertEquals(16, span.spanId().length());
            assertEquals("", span.parentSpanId(), "the JVM, its parent, is not traced: a root span");
        }
        assertEquals(3, sleeps.stream().map(pid -> byPid(spans, pid, "sleep").traceId()).distinct().count(), "a trace each");
        ReceivedSpan sh = spans.stream().filter(s -> String.valueOf(shell).equals(s.attributes().get("pid"))).findFirst().orElseThrow();
        ReceivedSpan child = spans.stream().filter(s -> String.valueOf(shell).equals(s.attributes().get("ppid"))
                && "sleep".equals(s.attributes().get("comm"))).findFirst()
                .orElseThrow(() -> new AssertionError("no span of sh's sleep among " + spans));
        assertEquals(sh.traceId(), child.traceId());
        assertEquals(sh.spanId(), child.parentSpanId());
        assertTrue(sh.durationNanos() >= child.durationNanos() && child.durationNanos() >= SLEEP_NANOS,
                "sh " + sh.durationNanos() + " ns, its sleep " + child.durationNanos() + " ns");
        assertEquals(0, programsGone(Set.of("span_exec", "span_exit")), "closed exporter left a program");
    }

    @Test
    void closeSendsTheSpansStillBatched() throws Exception {
        install(dir, "export_spans");
        System.setProperty("otel.bsp.schedule.delay", "600000"); // only a flush sends them
        long pid;
        try (Exporter exporter = Exporter.start(options("export_spans"))) {
            pid = run("/bin/sleep", "0.01");
            Thread.sleep(500); // the poller has read the record by now (it polls every 100 ms at most)
            assertEquals(List.of(), receiver.spans().stream().filter(s -> String.valueOf(pid).equals(s.attributes().get("pid")))
                    .toList(), "sent before the batch's delay or a flush");
        }
        byPid(receiver.spans(), pid, "sleep"); // close() flushed before it returned
    }

    @Test
    void aSpanWhoseRingbufIsNoRingBufferOrMissingIsRefusedWithItsLine() throws Exception {
        install(dir, "export_spans");
        Path yaml = dir.resolve("export_spans.yaml");
        String text = Files.readString(yaml);
        long before = programsNamed(Set.of("span_exec", "span_exit"));
        Files.writeString(yaml, text.replace("ringbuf: exec_spans", "ringbuf: running"));
        ConfigException e = assertThrows(ConfigException.class, () -> Exporter.start(options("export_spans")));
        assertEquals(yaml + ":6: map 'running' is a lru_hash map; ringbuf names a BPF_MAP_TYPE_RINGBUF map", e.getMessage());
        Files.writeString(yaml, text.replace("ringbuf: exec_spans", "ringbuf: exec_span"));
        e = assertThrows(ConfigException.class, () -> Exporter.start(options("export_spans")));
        assertEquals(yaml + ":6: export_spans.bpf.o has no map 'exec_span' (its maps: running, exec_spans)", e.getMessage());
        // jbpf's ringbuf_record: the labels must fit in the record's struct (72 bytes: the 48-byte header, comm, pid, ppid)
        Files.writeString(yaml, text.replace("ringbuf: exec_spans", "ringbuf: exec_spans\n      ringbuf_record: exec_span")
                .replace("size: 16\n          decoders:\n            - name: string", "size: 20\n          decoders:\n            - name: string"));
        e = assertThrows(ConfigException.class, () -> Exporter.start(options("export_spans")));
        assertEquals(yaml + ":10: the labels of span 'exec' describe 76 bytes (sizes plus paddings), but its records, struct"
                + " exec_span, have 72; make the labels after the span header fit in the struct", e.getMessage());
        assertEquals(before, programsNamed(Set.of("span_exec", "span_exit")), "a refused config left its program loaded");
    }
}
