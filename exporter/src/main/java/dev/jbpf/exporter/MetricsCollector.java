package dev.jbpf.exporter;

import dev.jbpf.map.BpfMap;
import dev.jbpf.program.ProgramInfo;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads the configs' maps when Prometheus scrapes, as ebpf_exporter's collector does: every
 * metric's map decoded into label sets (equal sets summed), histograms assembled from their
 * bucket keys, and the self metrics (enabled configs, program info, attachment, decoder errors;
 * jbpf's map read time, map entries and attach failures). Scrapes are serialised, and scrapes
 * that arrive while another reads the maps share the next read (one read of every map for all of
 * them, each read started after every scrape it serves arrived); holds no native resource (the maps belong to the {@link LoadedConfig}s, which outlive it).
 */
final class MetricsCollector implements MultiCollector {
    static final String PREFIX = "ebpf_exporter_";
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");
    private static final int LABEL_CACHE_LIMIT = 100_000;

    private List<LoadedConfig> configs; // replaced by a reload, under the lock
    private final Decoders decoders;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile boolean lastReloadSucceeded = true;
    private final ReentrantLock lock = new ReentrantLock();
    /** Concurrent scrapes share a read (see {@link #collect()}). */
    private final SharedRounds<Boolean, MetricSnapshots> reads = new SharedRounds<>();
    private final Map<String, AtomicLong> decoderErrors = new ConcurrentHashMap<>();
    /** Per metric: decoded labels by raw key (ebpf_exporter caches the same way, for ksym, cgroup, ...). */
    private final Map<String, Map<ByteBuffer, List<String>>> labelCache = new HashMap<>();
    private volatile boolean active;

    MetricsCollector(List<LoadedConfig> configs, Decoders decoders) {
        this.configs = configs;
        this.decoders = decoders;
        for (LoadedConfig config : configs) {
            decoderErrors.put(config.config().name(), new AtomicLong());
        }
    }

    /**
     * Serves {@code next} from the next scrape on; waits for a scrape in progress, so that the
     * configs left out may then be closed.
     */
    void replace(List<LoadedConfig> next) {
        lock.lock();
        try {
            configs = List.copyOf(next);
            for (LoadedConfig config : configs) {
                decoderErrors.putIfAbsent(config.config().name(), new AtomicLong());
            }
            labelCache.clear(); // a changed config may decode the same metric name otherwise
        } finally {
            lock.unlock();
        }
    }

    /** Counts a reload for the self metrics. */
    void reloaded(boolean success) {
        (success ? reloads : reloadFailures).incrementAndGet();
        lastReloadSucceeded = success;
    }

    /** From now on scrapes read the maps; before, they return nothing (as ebpf_exporter before attach). */
    void activate() {
        active = true;
    }

    /** Scrapes after this return nothing; waits for one in progress, so the maps may then be closed. */
    void deactivate() {
        lock.lock();
        try {
            active = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * One read of every map, shared by the scrapes that arrived while the previous read ran: the
     * first of them to get the lock reads for all, the others take its result. So concurrent
     * scrapes cost one read and one set of snapshots at a time, not one per scrape (100,000-entry
     * maps under 50 scrapers: BENCHMARKS.md), and no scrape gets a read that began before it.
     */
    @Override
    public MetricSnapshots collect() {
        return reads.get(Boolean.TRUE, () -> {
            lock.lock();
            try {
                return collectNow();
            } finally {
                lock.unlock();
            }
        });
    }

    private MetricSnapshots collectNow() {
        if (!active) {
            return MetricSnapshots.of();
        }
        List<MetricSnapshot> snapshots = new ArrayList<>();
        List<GaugeDataPointSnapshot> readSeconds = new ArrayList<>();
        List<GaugeDataPointSnapshot> entries = new ArrayList<>();
        for (LoadedConfig config : configs) {
            for (RingbufTally tally : config.ringbufTallies()) {
                snapshots.add(tally.snapshot());
            }
            for (MetricConfig metric : config.config().metrics()) {
                if (metric instanceof CounterConfig counter && counter.ringbuf() != null) {
                    continue; // counted by the ring buffer poller, above
                }
                long start = System.nanoTime();
                MetricSnapshot snapshot = collect(config, metric, entries);
                Labels where = Labels.of("config", config.config().name(), "map", metric.mapName());
                readSeconds.add(GaugeDataPointSnapshot.builder().labels(where).value((System.nanoTime() - start) / 1e9).build());
                if (snapshot != null) {
                    snapshots.add(snapshot);
                }
            }
        }
        snapshots.addAll(selfMetrics());
        snapshots.add(new GaugeSnapshot(new MetricMetadata(
                "jbpf_exporter_map_read_seconds", "Seconds the last scrape took to read and decode the map"), readSeconds));
        snapshots.add(new GaugeSnapshot(new MetricMetadata(
                "jbpf_exporter_map_entries", "Entries (keys) of the map at the last scrape"), entries));
        return new MetricSnapshots(snapshots);
    }

    /** One metric's snapshot, or null when its map could not be read or decoded this time. */
    private MetricSnapshot collect(LoadedConfig config, MetricConfig metric, List<GaugeDataPointSnapshot> entryCounts) {
        String configName = config.config().name();
        Map<List<String>, Double> values;
        try {
            values = read(config.map(metric.mapName()), metric, config.structLabels(metric.name()), configName, entryCounts);
        } catch (DecodeException | RuntimeException e) {
            decoderErrors.get(configName).incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Error getting map " + metric.mapName() + " values for metric " + metric.name()
                    + " of config " + configName + ": " + e.getMessage());
            return null;
        }
        StructLabels structLabels = config.structLabels(metric.name());
        List<String> labelNames = structLabels != null ? structLabels.names()
                : metric.labels().stream().map(LabelConfig::name).toList();
        return switch (metric) {
            case CounterConfig counter -> counterSnapshot(PREFIX + counter.name(), counter.help(), labelNames, values);
            case HistogramConfig histogram -> histogramSnapshot(histogram, labelNames, values, configName);
        };
    }

    /** The map's entries as label sets, equal sets summed (in first-seen order). */
    private Map<List<String>, Double> read(BpfMap map, MetricConfig metric, StructLabels structLabels, String configName,
            List<GaugeDataPointSnapshot> entryCounts) throws DecodeException {
        boolean perCpu = map.isPerCpu();
        List<LabelConfig> labels = metric.labels();
        // labels_from_btf: per-CPU values are summed (no cpu label)
        List<MapReader.RawEntry> raw = MapReader.read(map, perCpu && structLabels == null && KeyLayout.lastLabelIsCpu(labels));
        entryCounts.add(GaugeDataPointSnapshot.builder().labels(Labels.of("config", configName, "map", metric.mapName()))
                .value(perCpu ? raw.size() / Math.max(1, map.possibleCpus()) : raw.size()).build());
        Map<ByteBuffer, List<String>> cache = labelCache.computeIfAbsent(metric.name(), name -> new HashMap<>());
        if (cache.size() > LABEL_CACHE_LIMIT) {
            cache.clear(); // keys come and go (pids, cgroups): do not keep every one ever seen
        }
        Map<List<String>, Double> values = new LinkedHashMap<>();
        for (MapReader.RawEntry entry : raw) {
            byte[] bytes = structLabels != null ? entry.key() : KeyLayout.labelBytes(entry.key(), labels, perCpu);
            List<String> labelValues;
            if (bytes == null) {
                labelValues = List.of();
            } else {
                ByteBuffer cacheKey = ByteBuffer.wrap(bytes);
                labelValues = cache.get(cacheKey);
                if (labelValues == null) {
                    try {
                        labelValues = structLabels != null ? structLabels.values(MemorySegment.ofArray(bytes))
                                : decoders.decodeLabels(bytes, labels);
                    } catch (SkipLabelSet skip) {
                        continue;
                    }
                    cache.put(cacheKey, labelValues);
                }
            }
            values.merge(labelValues, unsignedToDouble(entry.value()), Double::sum);
        }
        return values;
    }

    /** A u64 as Go's float64(uint64) conversion gives it. */
    static double unsignedToDouble(long value) {
        return value >= 0 ? value : (double) (value >>> 1) * 2.0 + (value & 1);
    }

    /**
     * A counter named {@code name}. The Prometheus client appends {@code _total} to counters;
     * ebpf_exporter keeps the name as written, so a name without {@code _total} is exposed
     * untyped, to keep its series name.
     */
    static MetricSnapshot counterSnapshot(String name, String help, List<String> labelNames, Map<List<String>, Double> values) {
        String[] names = labelNames.toArray(String[]::new);
        if (name.endsWith("_total")) {
            List<CounterDataPointSnapshot> points = new ArrayList<>();
            values.forEach((labels, value) -> points.add(CounterDataPointSnapshot.builder()
                    .labels(Labels.of(names, labels.toArray(String[]::new))).value(value).build()));
            return new CounterSnapshot(new MetricMetadata(name, help), points);
        }
        List<UnknownDataPointSnapshot> points = new ArrayList<>();
        values.forEach((labels, value) -> points.add(UnknownDataPointSnapshot.builder()
                .labels(Labels.of(names, labels.toArray(String[]::new))).value(value).build()));
        return new UnknownSnapshot(new MetricMetadata(name, help), points);
    }

    /** Label sets without their last label (the bucket index) each make one histogram. */
    private static MetricSnapshot histogramSnapshot(HistogramConfig histogram, List<String> labelNames,
            Map<List<String>, Double> values, String configName) {
        Map<List<String>, Map<Double, Long>> byLabels = new LinkedHashMap<>();
        for (Map.Entry<List<String>, Double> entry : values.entrySet()) {
            List<String> labels = entry.getKey();
            String bucket = labels.getLast();
            double index;
            try {
                index = parseBucket(bucket);
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, "Error parsing bucket '" + bucket + "' of map " + histogram.mapName()
                        + " of config " + configName + ": not an unsigned integer");
                return null;
            }
            byLabels.computeIfAbsent(labels.subList(0, labels.size() - 1), l -> new HashMap<>())
                    .put(index, entry.getValue().longValue());
        }
        String[] names = labelNames.subList(0, labelNames.size() - 1).toArray(String[]::new);
        List<HistogramDataPointSnapshot> points = new ArrayList<>();
        byLabels.forEach((labels, counts) -> {
            HistogramBuckets buckets = HistogramBuckets.of(counts, histogram);
            points.add(HistogramDataPointSnapshot.builder()
                    .labels(Labels.of(names, labels.toArray(String[]::new)))
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(buckets.upperBounds(), buckets.bucketCounts()))
                    .sum(buckets.sum()).build());
        });
        return new HistogramSnapshot(new MetricMetadata(PREFIX + histogram.name(),
                histogram.help()), points);
    }

    /** An unsigned integer as Go's strconv.ParseUint(text, 0, 64) reads it: 0x, 0o, 0b prefixes, leading 0 octal. */
    static double parseBucket(String text) {
        String digits = text.replace("_", "");
        int radix = 10;
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            char kind = Character.toLowerCase(digits.charAt(1));
            radix = kind == 'x' ? 16 : kind == 'b' ? 2 : 8;
            digits = kind == 'x' || kind == 'b' || kind == 'o' ? digits.substring(2) : digits.substring(1);
        }
        if (digits.isEmpty() || digits.startsWith("+") || digits.startsWith("-")) {
            throw new NumberFormatException(text);
        }
        return unsignedToDouble(Long.parseUnsignedLong(digits, radix));
    }

    private List<MetricSnapshot> selfMetrics() {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        List<GaugeDataPointSnapshot> enabled = new ArrayList<>();
        List<GaugeDataPointSnapshot> info = new ArrayList<>();
        List<GaugeDataPointSnapshot> attached = new ArrayList<>();
        List<GaugeDataPointSnapshot> failures = new ArrayList<>();
        Map<List<String>, Double> runTime = new LinkedHashMap<>();
        Map<List<String>, Double> runCount = new LinkedHashMap<>();
        Map<List<String>, Double> errors = new LinkedHashMap<>();
        boolean stats = bpfStatsEnabled();
        for (LoadedConfig config : configs) {
            String name = config.config().name();
            enabled.add(gauge(1, "name", name));
            errors.put(List.of(name), (double) (decoderErrors.get(name).get() + config.spanDecodeErrors()));
            int failed = 0;
            for (LoadedConfig.Program program : config.programs()) {
                ProgramInfo programInfo = program.program().info();
                String id = Integer.toString(programInfo.id());
                info.add(gauge(1, "config", name, "program", program.program().name(), "tag", programInfo.tag(), "id", id));
                attached.add(gauge(program.attached() ? 1 : 0, "id", id));
                if (stats) {
                    runTime.put(List.of(id), programInfo.runTimeNs() / 1e9);
                    runCount.put(List.of(id), (double) programInfo.runCount());
                }
                failed += program.attached() ? 0 : 1;
            }
            failures.add(gauge(failed, "config", name));
        }
        snapshots.add(gaugeSnapshot(PREFIX + "enabled_configs", "The set of enabled configs", enabled));
        snapshots.add(gaugeSnapshot(PREFIX + "ebpf_program_info", "Info about ebpf programs", info));
        snapshots.add(gaugeSnapshot(PREFIX + "ebpf_program_attached", "Whether a program is attached", attached));
        if (stats) {
            snapshots.add(counterSnapshot(PREFIX + "ebpf_program_run_time_seconds", "How long has the program been executing",
                    List.of("id"), runTime));
            snapshots.add(counterSnapshot(PREFIX + "ebpf_program_run_count_total", "How many times has the program been executed",
                    List.of("id"), runCount));
        }
        snapshots.add(counterSnapshot(PREFIX + "decoder_errors_total", "How many times has decoders encountered errors",
                List.of("config"), errors));
        snapshots.add(gaugeSnapshot("jbpf_exporter_attach_failures", "Programs of the config that did not attach", failures));
        Map<List<String>, Double> dropped = new LinkedHashMap<>();
        for (LoadedConfig config : configs) {
            for (RingbufTally tally : config.ringbufTallies()) {
                String name = config.config().name();
                dropped.put(List.of(name, tally.config.name(), "max_series"), (double) tally.droppedMaxSeries.get());
                dropped.put(List.of(name, tally.config.name(), "short_record"), (double) tally.droppedShort.get());
            }
        }
        if (!dropped.isEmpty()) {
            snapshots.add(counterSnapshot("jbpf_exporter_ringbuf_records_dropped_total", "Ring buffer records a counter did not"
                    + " count: their label set would pass max_series, or the record is shorter than its struct",
                    List.of("config", "metric", "reason"), dropped));
        }
        List<GaugeDataPointSnapshot> cgroupIds = new ArrayList<>();
        Map<List<String>, Double> cgroupScans = new LinkedHashMap<>();
        Map<List<String>, Double> cgroupErrors = new LinkedHashMap<>();
        for (LoadedConfig config : configs) {
            CgroupIdMap ids = config.cgroupIdMap();
            if (ids != null) {
                String name = config.config().name();
                cgroupIds.add(gauge(ids.cgroups(), "config", name, "map", ids.config().name()));
                cgroupScans.put(List.of(name, ids.config().name()), (double) ids.scans());
                cgroupErrors.put(List.of(name, ids.config().name()), (double) ids.errors());
            }
        }
        if (!cgroupIds.isEmpty()) {
            snapshots.add(gaugeSnapshot("jbpf_exporter_cgroup_id_map_cgroups", "Cgroups the exporter has put in the config's"
                    + " cgroup_id_map: those whose path a regexp matched at the last walk of the cgroup hierarchy", cgroupIds));
            snapshots.add(counterSnapshot("jbpf_exporter_cgroup_id_map_scans_total", "Walks of the cgroup hierarchy that"
                    + " brought the cgroup_id_map up to date (at load, on inotify events, and periodically)",
                    List.of("config", "map"), cgroupScans));
            snapshots.add(counterSnapshot("jbpf_exporter_cgroup_id_map_errors_total", "cgroup_id_map updates and deletes"
                    + " that failed (retried at the next walk)", List.of("config", "map"), cgroupErrors));
        }
        snapshots.add(counterSnapshot("jbpf_exporter_reloads_total", "Reloads (SIGHUP, Exporter.reload) that succeeded",
                List.of(), Map.of(List.of(), (double) reloads.get())));
        snapshots.add(counterSnapshot("jbpf_exporter_reload_failures_total", "Reloads that failed (the configs before them kept serving)",
                List.of(), Map.of(List.of(), (double) reloadFailures.get())));
        snapshots.add(gaugeSnapshot("jbpf_exporter_last_reload_success", "1 when the last reload succeeded (or none was asked), else 0",
                List.of(gauge(lastReloadSucceeded ? 1 : 0))));
        return snapshots;
    }

    private static GaugeDataPointSnapshot gauge(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build();
    }

    private static GaugeSnapshot gaugeSnapshot(String name, String help, List<GaugeDataPointSnapshot> points) {
        return new GaugeSnapshot(new MetricMetadata(name, help), points);
    }

    /** Whether the kernel counts program run time (sysctl kernel.bpf_stats_enabled, or a BPF_ENABLE_STATS holder). */
    private static boolean bpfStatsEnabled() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/bpf_stats_enabled")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}
