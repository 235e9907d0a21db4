package dev.jbpf.exporter;

import static dev.jbpf.exporter.ExporterKernelTest.getpriority;
import static dev.jbpf.exporter.ExporterKernelTest.install;
import static dev.jbpf.exporter.ExporterKernelTest.onThread;
import static dev.jbpf.exporter.ExporterKernelTest.programsNamed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jbpf export's features beyond ebpf_exporter, on the running kernel with exact counts:
 * labels_from_btf over real struct keys (bpf-src/export_btf.bpf.c), ring buffer records counted
 * into client counters with max_series (bpf-src/export_ringbuf.bpf.c), and
 * {@link Exporter#reload()} keeping unchanged configs' counts.
 */
@KernelTest
class BeyondEbpfExporterKernelTest {
    private static final int MARKER_WHICH = 0x7a7b;
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final String GETPPID_NR = "110"; // x86_64
    private static final String GETPRIORITY_NR = "140";

    @TempDir
    Path dir;

    private ExporterOptions options(String... names) {
        return new ExporterOptions(dir, List.of(names), ListenAddress.parse("127.0.0.1:0"), true);
    }

    @Test
    void labelsFromBtfNameEachKeyFieldAndFormatItByType() throws Exception {
        install(dir, "export_btf");
        try (Exporter exporter = Exporter.start(options("export_btf"))) {
            onThread("jbpfbtf1", 0, () -> TestSupport.getppid(13));
            onThread("jbpfbtf2", 0, () -> {
                for (int who : new int[] {1, 3, 1000}) {
                    getpriority(MARKER_WHICH, who);
                }
            });
            Scrape after = Scrape.of(exporter.port());
            // struct btf_syscall_key {u32 tgid; char comm[16]; u64 syscall}: decimal, text up to NUL, decimal past the hole
            assertEquals(13, after.required(Scrape.series("ebpf_exporter_btf_syscalls_total", "tgid", PID, "comm", "jbpfbtf1",
                    "syscall", GETPPID_NR)));
            assertEquals(3, after.required(Scrape.series("ebpf_exporter_btf_syscalls_total", "tgid", PID, "comm", "jbpfbtf2",
                    "syscall", GETPRIORITY_NR)));
            // struct btf_who_key {char comm[16]; u32 bucket}: the last field is the bucket; 1 -> 0, 3 -> 2, 1000 -> 10
            Map<String, Double> buckets = after.values().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("ebpf_exporter_btf_who_values_bucket{"))
                    .collect(Collectors.toMap(e -> e.getKey(), Map.Entry::getValue, (a, b) -> a, TreeMap::new));
            assertEquals(12, buckets.size(), after.text()); // 11 bounds and +Inf, for jbpfbtf2 only
            assertEquals(1, after.required(Scrape.series("ebpf_exporter_btf_who_values_bucket", "comm", "jbpfbtf2", "le", "2.0")));
            assertEquals(2, after.required(Scrape.series("ebpf_exporter_btf_who_values_bucket", "comm", "jbpfbtf2", "le", "4.0")));
            assertEquals(2, after.required(Scrape.series("ebpf_exporter_btf_who_values_bucket", "comm", "jbpfbtf2", "le", "512.0")));
            assertEquals(3, after.required(Scrape.series("ebpf_exporter_btf_who_values_bucket", "comm", "jbpfbtf2", "le", "1024.0")));
            assertEquals(3, after.required(Scrape.series("ebpf_exporter_btf_who_values_count", "comm", "jbpfbtf2")));
            assertEquals(1004, after.required(Scrape.series("ebpf_exporter_btf_who_values_sum", "comm", "jbpfbtf2")));
        }
    }

    @Test
    void labelsFromBtfOnAKeyThatIsNoStructIsRefusedWithItsLine() throws Exception {
        install(dir, "export_counters");
        Files.writeString(dir.resolve("export_counters.yaml"), """
                metrics:
                  counters:
                    - name: percpu_getppid_total
                      help: x
                      labels_from_btf: true
                """);
        long before = programsNamed(Set.of("count_getppid")); // other processes may run tests with this name meanwhile
        ConfigException e = assertThrows(ConfigException.class, () -> Exporter.start(options("export_counters")));
        assertEquals(dir.resolve("export_counters.yaml") + ":5: the key of map 'percpu_getppid_total' is __u32, not a struct;"
                + " labels_from_btf names labels after a struct's fields: use labels with decoders instead", e.getMessage());
        assertEquals(before, programsNamed(Set.of("count_getppid")), "a refused config left its program loaded");
    }

    @Test
    void ringBufferRecordsAreCountedExactlyUpToMaxSeries() throws Exception {
        install(dir, "export_ringbuf");
        try (Exporter exporter = Exporter.start(options("export_ringbuf"))) {
            onThread("jbpfring1", 0, () -> TestSupport.getppid(5));
            onThread("jbpfring2", 0, () -> TestSupport.getppid(6));
            onThread("jbpfring3", 0, () -> TestSupport.getppid(7)); // a third label set: past max_series 2
            Scrape after = awaitValue(exporter, "ebpf_exporter_getppid_records_total", 18);
            assertEquals(5, after.required(Scrape.series("ebpf_exporter_getppid_events_total", "tgid", PID, "comm", "jbpfring1")));
            assertEquals(6, after.required(Scrape.series("ebpf_exporter_getppid_events_total", "tgid", PID, "comm", "jbpfring2")));
            assertEquals(2, after.seriesOf("ebpf_exporter_getppid_events_total").size(), after.text());
            assertEquals(7, after.required(Scrape.series("jbpf_exporter_ringbuf_records_dropped_total", "config", "export_ringbuf",
                    "metric", "getppid_events_total", "reason", "max_series")));
            assertEquals(0, after.required(Scrape.series("jbpf_exporter_ringbuf_records_dropped_total", "config", "export_ringbuf",
                    "metric", "getppid_records_total", "reason", "short_record")));
            assertTrue(after.text().contains("# TYPE ebpf_exporter_getppid_events_total counter"), after.text());
        }
        assertEquals(0, programsNamed(Set.of("submit_getppid")), "closed exporter left the program");
    }

    @Test
    void reloadKeepsUnchangedConfigsCountingAndLoadsChangedAddedAndRemovedOnes() throws Exception {
        install(dir, "export_btf");
        install(dir, "export_ringbuf");
        String btfGetppid = Scrape.series("ebpf_exporter_btf_syscalls_total", "tgid", PID, "comm", "jbpfbtf1", "syscall", GETPPID_NR);
        Path ringbufYaml = dir.resolve("export_ringbuf.yaml");
        try (Exporter exporter = Exporter.start(options())) { // no names: every config of the directory
            assertEquals(List.of("export_btf", "export_ringbuf"), exporter.configs().stream().map(ExporterConfig::name).toList());
            onThread("jbpfbtf1", 0, () -> TestSupport.getppid(4));
            onThread("jbpfring1", 0, () -> TestSupport.getppid(3));
            Scrape first = awaitValue(exporter, "ebpf_exporter_getppid_records_total", 3);
            assertEquals(4, first.required(btfGetppid));
            String btfProgramId = programId(first, "export_btf", "btf_record_who");

            // changed: labels by comm only; added: export_histogram
            Files.writeString(ringbufYaml, Files.readString(ringbufYaml).replace("labels_from_btf: [tgid, comm]", "labels_from_btf: [comm]"));
            install(dir, "export_histogram");
            Exporter.Reload reload = exporter.reload();
            assertEquals(new Exporter.Reload(List.of("export_btf"), List.of("export_ringbuf"), List.of("export_histogram"), List.of()),
                    reload);
            assertEquals(1, programsNamed(Set.of("submit_getppid")), "the changed config's old program is unloaded");
            onThread("jbpfbtf1", 0, () -> TestSupport.getppid(2));
            onThread("jbpfring1", 0, () -> TestSupport.getppid(5));
            Scrape second = awaitValue(exporter, "ebpf_exporter_getppid_records_total", 5); // a new counter: from 0
            assertEquals(6, second.required(btfGetppid), "the unchanged config's map kept counting");
            assertEquals(btfProgramId, programId(second, "export_btf", "btf_record_who"), "the unchanged config stayed loaded");
            assertEquals(5, second.required(Scrape.series("ebpf_exporter_getppid_events_total", "comm", "jbpfring1")));
            assertEquals(1, second.required(Scrape.series("ebpf_exporter_enabled_configs", "name", "export_histogram")));
            assertEquals(1, second.required("jbpf_exporter_reloads_total"));
            assertEquals(1, second.required("jbpf_exporter_last_reload_success"));

            // a bad config: the reload fails with its line, the old set serves on
            String good = Files.readString(ringbufYaml);
            Files.writeString(ringbufYaml, good.replace("max_series: 2", "max_series: [2"));
            ConfigException failure = assertThrows(ConfigException.class, exporter::reload);
            assertTrue(failure.getMessage().startsWith(ringbufYaml + ":"), failure.getMessage());
            onThread("jbpfring1", 0, () -> TestSupport.getppid(2));
            Scrape third = awaitValue(exporter, "ebpf_exporter_getppid_records_total", 7);
            assertEquals(7, third.required(Scrape.series("ebpf_exporter_getppid_events_total", "comm", "jbpfring1")));
            assertEquals(1, third.required("jbpf_exporter_reload_failures_total"));
            assertEquals(0, third.required("jbpf_exporter_last_reload_success"));
            assertEquals(1, programsNamed(Set.of("submit_getppid")));

            // removed: export_histogram; export_ringbuf back to the bytes loaded, so unchanged (its count stays)
            Files.writeString(ringbufYaml, good);
            Files.delete(dir.resolve("export_histogram.yaml"));
            assertEquals(new Exporter.Reload(List.of("export_btf", "export_ringbuf"), List.of(), List.of(), List.of("export_histogram")),
                    exporter.reload());
            Scrape fourth = Scrape.of(exporter.port());
            assertEquals(7, fourth.required(Scrape.series("ebpf_exporter_getppid_events_total", "comm", "jbpfring1")));
            assertEquals(6, fourth.required(btfGetppid));
            assertEquals(List.of(), fourth.seriesOf("ebpf_exporter_priority_who_values_count"));
            assertEquals(0, programsNamed(Set.of("record_who")), "the removed config is unloaded");
            assertEquals(1, fourth.required("jbpf_exporter_last_reload_success"));
        }
        assertEquals(0, programsNamed(Set.of("submit_getppid", "btf_record_who")));
    }

    /** The id label of a config's program in ebpf_exporter_ebpf_program_info. */
    static String programId(Scrape scrape, String config, String program) {
        List<String> series = scrape.seriesOf("ebpf_exporter_ebpf_program_info").stream()
                .filter(s -> s.contains("config=\"" + config + "\"") && s.contains("program=\"" + program + "\"")).toList();
        assertEquals(1, series.size(), scrape.text());
        return series.getFirst().replaceAll(".*id=\"([0-9]+)\".*", "$1");
    }

    /** Scrapes until the series has the value (the poller counts asynchronously), at most 10 s; then one more scrape must agree. */
    private static Scrape awaitValue(Exporter exporter, String series, double value) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Scrape scrape = Scrape.of(exporter.port());
        while (scrape.value(series) < value && System.nanoTime() < deadline) {
            Thread.sleep(50);
            scrape = Scrape.of(exporter.port());
        }
        Thread.sleep(200); // nothing more arrives: the count is exact, not a lower bound
        scrape = Scrape.of(exporter.port());
        assertEquals(value, scrape.value(series), scrape.text());
        return scrape;
    }
}
