package dev.jbpf.bench;

import com.sun.net.httpserver.HttpServer;
import dev.jbpf.exporter.Exporter;
import dev.jbpf.exporter.ExporterOptions;
import dev.jbpf.exporter.ListenAddress;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The exporter under load (scripts/bench-exporter.sh): {@code jbpf export} serving
 * bench_exporter.bpf.o's counter map, filled from user space with N keys through the library
 * ({@code batch().update}), scraped by S concurrent scrapers over loopback HTTP for T seconds;
 * or (phase direct, in a JVM of its own) the same map, filled the same way, through a minimal direct path as ebpf_exporter reads a map
 * (one sweep of BPF_MAP_LOOKUP_BATCH calls per scrape, each entry formatted straight into the
 * text format, no decoders, no snapshots, no lock) served by the JDK's HTTP server with the
 * Prometheus client's thread pool shape (10 threads, a queue of 100), by the same scrapers.
 * Prints one {@code key=value} line per phase, and the exporter JVM's heap and RSS.
 */
final class ExporterBench {
    private static final String METRIC = "bench_requests_total";
    private static final String SERIES = "ebpf_exporter_" + METRIC + "{";
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private ExporterBench() {
    }

    /** A scrape phase's results. */
    private record Phase(String name, long scrapes, long failed, String firstFailure, long[] latenciesNs, double seconds,
            long bytes, Memory before, Memory peak, Memory after) {
        String line() {
            long[] sorted = latenciesNs.clone();
            Arrays.sort(sorted);
            return String.format(Locale.ROOT, "exporter-load phase=%s scrapes=%d failed=%d per_s=%.1f p50_ms=%.1f p99_ms=%.1f"
                    + " max_ms=%.1f bytes_per_scrape=%d heap_before_mb=%.0f heap_peak_mb=%.0f heap_after_mb=%.0f"
                    + " rss_before_mb=%.0f rss_peak_mb=%.0f rss_after_mb=%.0f hwm_mb=%.0f%s",
                    name, scrapes, failed, scrapes / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, bytes, before.heapMb, peak.heapMb, after.heapMb,
                    before.rssMb, peak.rssMb, after.rssMb, after.hwmMb,
                    firstFailure == null ? "" : " first_failure=" + firstFailure.replace(' ', '_'));
        }
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(p * sorted.length) - 1] / 1e6;
    }

    /** Heap used (MemoryMXBean) and the process's VmRSS and VmHWM, in MB. */
    private record Memory(double heapMb, double rssMb, double hwmMb) {
        static Memory now() {
            double rss = 0;
            double hwm = 0;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kb(line) / 1024.0;
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kb(line) / 1024.0;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return new Memory(MEMORY.getHeapMemoryUsage().getUsed() / 1048576.0, rss, hwm);
        }

        static Memory afterGc() {
            System.gc();
            return now();
        }

        private static long kb(String line) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }

        Memory max(Memory other) {
            return new Memory(Math.max(heapMb, other.heapMb), Math.max(rssMb, other.rssMb), Math.max(hwmMb, other.hwmMb));
        }
    }

    static void run(Path configDir, String config, int entries, int scrapers, double seconds, String phase)
            throws Exception {
        System.setProperty("http.maxConnections", Integer.toString(scrapers)); // keep-alive for every scraper
        Set<Integer> mapsBefore = MapInfo.listAll().stream().map(MapInfo::id).collect(Collectors.toSet());
        long expectedSum = 0;
        try (Exporter exporter = Exporter.start(new ExporterOptions(configDir, List.of(config),
                ListenAddress.parse("127.0.0.1:0"), true))) {
            if (!exporter.attachFailures().isEmpty()) {
                throw new IllegalStateException("not attached: " + exporter.attachFailures());
            }
            // the exporter's map: the one of this name the exporter's load made (the kernel keeps 15 characters)
            List<MapInfo> made = MapInfo.listAll().stream().filter(m -> !mapsBefore.contains(m.id())
                    && METRIC.startsWith(m.name()) && !m.name().isEmpty()).toList();
            if (made.size() != 1) {
                throw new IllegalStateException("expected one new map named " + METRIC + ", found " + made);
            }
            try (BpfMap map = BpfMap.openById(made.getFirst().id())) {
                List<byte[]> keys = new ArrayList<>(entries);
                List<byte[]> values = new ArrayList<>(entries);
                for (int id = 0; id < entries; id++) {
                    keys.add(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(id).putInt(id % 16).array());
                    long value = 3L * id + 1;
                    values.add(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
                    expectedSum += value;
                }
                long start = System.nanoTime();
                map.batch().update(keys, values);
                System.out.printf(Locale.ROOT, "exporter-load fill entries=%d seconds=%.3f%n", entries, (System.nanoTime() - start) / 1e9);
                keys = null;
                values = null;

                if (phase.equals("exporter")) {
                    String exporterUrl = "http://127.0.0.1:" + exporter.port() + "/metrics";
                    long reference = check(exporterUrl, entries, expectedSum);
                    System.out.println(load("exporter", exporterUrl, scrapers, seconds, reference).line());
                    return;
                }

                ExecutorService pool = new ThreadPoolExecutor(10, 10, 120, TimeUnit.SECONDS, new ArrayBlockingQueue<>(100));
                HttpServer direct = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                direct.setExecutor(pool);
                direct.createContext("/metrics", exchange -> {
                    byte[] body = directText(map);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
                direct.start();
                try {
                    String directUrl = "http://127.0.0.1:" + direct.getAddress().getPort() + "/metrics";
                    long directReference = check(directUrl, entries, expectedSum);
                    System.out.println(load("direct", directUrl, scrapers, seconds, directReference).line());
                } finally {
                    direct.stop(0);
                    pool.shutdownNow();
                }
            }
        }
    }

    /**
     * ebpf_exporter's way, minimally: one walk of the map with BPF_MAP_LOOKUP_BATCH (4096 entries
     * per call), each entry formatted as its series line as it comes out of the native buffer.
     */
    static byte[] directText(BpfMap map) {
        StringBuilder text = new StringBuilder(64 * 1024);
        text.append("# HELP ebpf_exporter_").append(METRIC).append(" Requests by id and group\n");
        text.append("# TYPE ebpf_exporter_").append(METRIC).append(" counter\n");
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED;
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED;
        map.batch().forEach((MemorySegment keys, MemorySegment values, int count) -> {
            for (int i = 0; i < count; i++) {
                text.append(SERIES).append("group=\"").append(Integer.toUnsignedString(keys.get(u32, i * 8L + 4)))
                        .append("\",id=\"").append(Integer.toUnsignedString(keys.get(u32, i * 8L)))
                        .append("\"} ").append(Long.toUnsignedString(values.get(u64, i * 8L))).append('\n');
            }
        });
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One scrape, every series counted and summed: all entries there with their values. Returns its size. */
    private static long check(String url, int entries, long expectedSum) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (connection.getResponseCode() != 200) {
            throw new IllegalStateException(url + " answered " + connection.getResponseCode());
        }
        byte[] body;
        try (InputStream in = connection.getInputStream()) {
            body = in.readAllBytes();
        }
        long series = 0;
        double sum = 0;
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(SERIES)) {
                series++;
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        if (series != entries || sum != expectedSum) {
            throw new IllegalStateException(url + ": " + series + " series summing to " + sum + ", expected " + entries
                    + " summing to " + expectedSum);
        }
        return body.length;
    }

    /** scrapers threads scraping url back to back for seconds; a scrape fails on an error, a status not 200 or a short body. */
    private static Phase load(String name, String url, int scrapers, double seconds, long referenceBytes) throws Exception {
        for (int i = 0; i < 5; i++) { // warm-up, uncounted
            scrape(url, new byte[1 << 16]);
        }
        Memory before = Memory.afterGc();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        List<long[]> perThread = new ArrayList<>();
        int[] counts = new int[scrapers];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < scrapers; t++) {
            long[] latencies = new long[1 << 16];
            perThread.add(latencies);
            int index = t;
            threads.add(Thread.ofPlatform().name("scraper-" + t).start(() -> {
                byte[] buffer = new byte[1 << 16];
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        long size = scrape(url, buffer);
                        if (size < referenceBytes * 0.99) {
                            throw new IOException("short body: " + size + " bytes of " + referenceBytes);
                        }
                        bytes.addAndGet(size);
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                        continue;
                    }
                    if (counts[index] < latencies.length) {
                        latencies[counts[index]++] = System.nanoTime() - start;
                    }
                }
            }));
        }
        Memory peak = before;
        long started = System.nanoTime();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            peak = peak.max(Memory.now());
            Thread.sleep(50);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Memory after = Memory.afterGc();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < scrapers; t++) {
            System.arraycopy(perThread.get(t), 0, all, at, counts[t]);
            at += counts[t];
        }
        return new Phase(name, total, failed.get(), firstFailure.get(), all, elapsed, total == 0 ? 0 : bytes.get() / total,
                before, peak, after);
    }

    /** GET url, the body read and discarded; its length. */
    private static long scrape(String url, byte[] buffer) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(60_000);
        int status = connection.getResponseCode();
        if (status != 200) {
            connection.disconnect();
            throw new IOException("status " + status);
        }
        long size = 0;
        try (InputStream in = connection.getInputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                size += n;
            }
        }
        return size;
    }
}
