package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ebpf_exporter's YAML read into records, and every refusal naming its file and line. */
@UnitTest
class ConfigParserTest {
    private static final Path YAML = Path.of("/configs/x.yaml");

    private static ExporterConfig parse(String yaml) {
        return ConfigParser.parse("x", YAML, Path.of("/configs/x.bpf.o"), yaml);
    }

    private static String refusal(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    /** ebpf_exporter's examples/biolatency.yaml, as its users have it. */
    private static final String BIOLATENCY = """
            metrics:
              histograms:
                - name: bio_latency_seconds
                  help: Block IO latency histogram
                  bucket_type: exp2
                  bucket_min: 0
                  bucket_max: 27
                  bucket_multiplier: 0.000001 # microseconds to seconds
                  labels:
                    - name: device
                      size: 4
                      decoders:
                        - name: majorminor
                    - name: operation
                      size: 4
                      decoders:
                        - name: uint
                        - name: static_map
                          static_map:
                            0: read
                            1: write
                    - name: bucket
                      size: 8
                      decoders:
                        - name: uint
            """;

    @Test
    void readsEbpfExportersBiolatencyExample() {
        ExporterConfig config = parse(BIOLATENCY);
        assertEquals(List.of(), config.counters());
        HistogramConfig histogram = config.histograms().getFirst();
        assertEquals("bio_latency_seconds", histogram.name());
        assertEquals(BucketType.EXP2, histogram.bucketType());
        assertEquals(0.000001, histogram.bucketMultiplier());
        assertEquals(0, histogram.bucketMin());
        assertEquals(27, histogram.bucketMax());
        assertEquals(List.of("device", "operation", "bucket"), histogram.labels().stream().map(LabelConfig::name).toList());
        assertEquals(List.of(4, 4, 8), histogram.labels().stream().map(LabelConfig::size).toList());
        DecoderConfig staticMap = histogram.labels().get(1).decoders().get(1);
        assertEquals(Map.of("0", "read", "1", "write"), staticMap.staticMap());
        assertEquals(new SourceLine(YAML, 3), histogram.where());
        assertEquals(new SourceLine(YAML, 18), staticMap.where());
    }

    @Test
    void aMissingMultiplierIsOneAndPaddingIsRead() {
        ExporterConfig config = parse("""
                metrics:
                  counters:
                    - name: a_total
                      help: h
                      labels:
                        - name: x
                          size: 2
                          padding: 6
                          decoders:
                            - name: uint
                  histograms:
                    - name: b
                      help: h
                      bucket_type: fixed
                      bucket_keys: [1, 5, 10]
                      labels:
                        - name: bucket
                          size: 8
                          decoders:
                            - name: uint
                """);
        assertEquals(6, config.counters().getFirst().labels().getFirst().padding());
        assertEquals(1.0, config.histograms().getFirst().bucketMultiplier());
        assertEquals(List.of(1.0, 5.0, 10.0), config.histograms().getFirst().bucketKeys());
    }

    @Test
    void unsupportedKeysAreRefusedWithTheirLine() {
        assertEquals("/configs/x.yaml:4: key 'unit' of a counter is not supported by jbpf export; remove it"
                + " (supported here: help, labels, labels_from_btf, max_series, name, perf_event_array, ringbuf, ringbuf_record)", refusal("""
                metrics:
                  counters:
                    - name: a_total
                      unit: seconds
                      help: h
                """));
        assertEquals("/configs/x.yaml:4: perf_event_array counters are not supported by jbpf export yet; use a hash or"
                + " array map named 'a_total'", refusal("""
                metrics:
                  counters:
                    - name: a_total
                      perf_event_array: true
                      help: h
                """));
    }

    /** A counter in ebpf_exporter's form, then {@code cgroup_id_map:} at line 6 with what follows. */
    private static String withCgroupIdMap(String body) {
        return """
                metrics:
                  counters:
                    - name: a_total
                      help: h
                      labels: [{name: cgroup, size: 8, decoders: [{name: uint}, {name: cgroup}]}]
                cgroup_id_map:
                """ + body;
    }

    @Test
    void readsEbpfExportersCgroupIdMapExamplesOfBothTypes() {
        // ebpf_exporter's examples/cgroup_id_map.yaml and cgroup_id_map_cgrp_storage.yaml, as their users have them
        CgroupIdMapConfig hash = parse(withCgroupIdMap("""
                  name: cgroup_id_map
                  type: hash
                  regexps:
                    - ^.*(system.slice/.*)$
                """)).cgroupIdMap();
        assertEquals("cgroup_id_map", hash.name());
        assertEquals(CgroupIdMapConfig.Type.HASH, hash.type());
        assertEquals(new SourceLine(YAML, 7), hash.where());
        assertEquals(new SourceLine(YAML, 8), hash.typeWhere());
        assertEquals(List.of("^.*(system.slice/.*)$"), hash.regexps().stream().map(java.util.regex.Pattern::pattern).toList());
        // unanchored, as Go's MatchString: a pattern found anywhere in the full path matches
        assertEquals(true, hash.matches("/sys/fs/cgroup/system.slice/ssh.service"));
        assertEquals(false, hash.matches("/sys/fs/cgroup/user.slice/user-0.slice"));

        CgroupIdMapConfig storage = parse(withCgroupIdMap("""
                  name: cgroup_id_map_cgrp_storage
                  type: cgrp_storage
                  regexps:
                    - ^.*(system.slice/.*)$
                    - user.slice
                """)).cgroupIdMap();
        assertEquals(CgroupIdMapConfig.Type.CGRP_STORAGE, storage.type());
        assertEquals(true, storage.matches("/sys/fs/cgroup/user.slice/user-0.slice"));
        // no type: hash, ebpf_exporter's default (its maps from before cgrp_storage)
        assertEquals(CgroupIdMapConfig.Type.HASH, parse(withCgroupIdMap("  name: m\n  regexps: [x]\n")).cgroupIdMap().type());
        assertEquals(null, parse(withCgroupIdMap("").replace("cgroup_id_map:\n", "")).cgroupIdMap());
    }

    @Test
    void badCgroupIdMapsAreRefusedWithTheirLine() {
        assertEquals("/configs/x.yaml:8: unknown cgroup_id_map type 'lru_hash'; use hash (a hash map keyed by u64 cgroup id)"
                + " or cgrp_storage (a BPF_MAP_TYPE_CGRP_STORAGE map)", refusal(withCgroupIdMap("""
                  name: m
                  type: lru_hash
                  regexps: [x]
                """)));
        assertEquals("/configs/x.yaml:9: regexp '^.*(system.slice/.*$' does not compile: Unclosed group near index 20",
                refusal(withCgroupIdMap("""
                  name: m
                  regexps:
                    - ^.*(system.slice/.*$
                """)));
        assertEquals("/configs/x.yaml:8: key 'regexp' of cgroup_id_map is not supported by jbpf export; remove it"
                + " (supported here: name, regexps, type)", refusal(withCgroupIdMap("""
                  name: m
                  regexp: x
                """)));
        assertEquals("/configs/x.yaml:6: cgroup_id_map lacks name; add it", refusal(withCgroupIdMap("""
                  type: hash
                  regexps: [x]
                """)));
        assertEquals("/configs/x.yaml:8: cgroup_id_map 'm' has no regexps, so no cgroup would be in its map; list the"
                + " patterns of the cgroup paths to put in it, e.g. regexps: [\"^.*(system.slice/.*)$\"]",
                refusal(withCgroupIdMap("""
                  name: m
                  regexps: []
                """)));
        assertEquals("/configs/x.yaml:6: cgroup_id_map 'm' has no regexps, so no cgroup would be in its map; list the"
                + " patterns of the cgroup paths to put in it, e.g. regexps: [\"^.*(system.slice/.*)$\"]",
                refusal(withCgroupIdMap("  name: m\n")));
        assertEquals("/configs/x.yaml:7: cgroup_id_map must be a mapping of keys to values", refusal(withCgroupIdMap("  - m\n")));
        assertEquals("/configs/x.yaml:8: regexps must be a list", refusal(withCgroupIdMap("  name: m\n  regexps: x\n")));
    }

    @Test
    void decodersAreCheckedAtStart() {
        String label = """
                metrics:
                  counters:
                    - name: a_total
                      help: h
                      labels:
                        - name: x
                          size: %d
                          decoders:
                            - name: %s
                """;
        assertEquals("/configs/x.yaml:9: unknown decoder 'uintt'; use one of cgroup, dname, errno, hex, ifname, inet_ip,"
                + " kstack, ksym, majorminor, regexp, static_map, string, syscall, uint", refusal(label.formatted(4, "uintt")));
        assertEquals("/configs/x.yaml:9: decoder 'pci_vendor' is not supported by jbpf export yet; use hex or uint instead",
                refusal(label.formatted(4, "pci_vendor")));
        assertEquals("/configs/x.yaml:9: decoder uint reads 1, 2, 4 or 8 bytes, but label 'x' has size 3; fix the size or use hex",
                refusal(label.formatted(3, "uint")));
        assertEquals("/configs/x.yaml:9: decoder syscall of label 'x' reads a number's text; put '- name: uint' before it",
                refusal(label.formatted(8, "syscall")));
        assertEquals("/configs/x.yaml:9: decoder ksym needs at least 8 bytes, but label 'x' has size 4",
                refusal(label.formatted(4, "ksym")));
        assertEquals("/configs/x.yaml:9: decoder regexp needs regexps: a list of patterns (label sets matching none are dropped)",
                refusal(label.formatted(4, "regexp")));
    }

    @Test
    void histogramsNeedBucketsAndABucketLabel() {
        assertEquals("/configs/x.yaml:7: histogram 'h' has no buckets: bucket_max (3) must be above bucket_min (3)", refusal("""
                metrics:
                  histograms:
                    - name: h
                      help: x
                      bucket_type: linear
                      bucket_min: 3
                      bucket_max: 3
                """));
        assertEquals("/configs/x.yaml:5: unknown bucket_type 'exp3' of histogram 'h'; use exp2, exp2zero, linear or fixed", refusal("""
                metrics:
                  histograms:
                    - name: h
                      help: x
                      bucket_type: exp3
                """));
        assertEquals("/configs/x.yaml:3: histogram 'h' has no labels; its last label must be the bucket index"
                + " (e.g. name: bucket, size: 8, decoders: [uint]),"
                + " or say labels_from_btf: true (the key struct's last field is the bucket)", refusal("""
                metrics:
                  histograms:
                    - name: h
                      help: x
                      bucket_type: exp2
                      bucket_max: 4
                """));
    }

    @Test
    void badYamlAndMissingHelpNameTheirLine() {
        assertEquals("/configs/x.yaml:3: counter 'a_total' lacks help; add it", refusal("""
                metrics:
                  counters:
                    - name: a_total
                """));
        assertEquals("/configs/x.yaml:3: not valid YAML: mapping values are not allowed here",
                refusal("metrics:\n  counters:\n    - name: a: b\n"));
        assertEquals("/configs/x.yaml:1: config 'x' defines no metrics and no spans; add metrics.counters,"
                + " metrics.histograms or tracing.spans", refusal("metrics:\n  counters: []\n"));
        assertEquals("/configs/x.yaml:11: regexp '(' does not compile: Unclosed group near index 1", refusal("""
                metrics:
                  counters:
                    - name: a_total
                      help: h
                      labels:
                        - name: x
                          size: 4
                          decoders:
                            - name: string
                            - name: regexp
                              regexps: ["("]
                """));
    }

    @Test
    void labelsFromBtfAndRingbufCountersParseAndRefuseWhatDoesNotGoTogether() {
        ExporterConfig config = ConfigParser.parse("x", Path.of("/configs/x.yaml"), Path.of("/configs/x.bpf.o"), """
                metrics:
                  counters:
                    - name: events_total
                      help: x
                      ringbuf: events
                      ringbuf_record: event
                      labels_from_btf: [pid, comm]
                      max_series: 5
                  histograms:
                    - name: h
                      help: x
                      bucket_type: exp2
                      bucket_max: 4
                      labels_from_btf: true
                """);
        CounterConfig counter = config.counters().getFirst();
        assertEquals(new RingbufConfig("events", "event", 5, new SourceLine(Path.of("/configs/x.yaml"), 5)), counter.ringbuf());
        assertEquals(List.of("pid", "comm"), counter.btfLabels().fields());
        assertEquals("events", counter.mapName());
        assertEquals(List.of(), config.histograms().getFirst().btfLabels().fields()); // every field
        assertEquals("/configs/x.yaml:5: counter 'c' has both labels and labels_from_btf; keep one (labels_from_btf"
                + " names each label after a field of the key's BTF struct)", refusal("""
                metrics:
                  counters:
                    - name: c
                      help: x
                      labels_from_btf: true
                      labels:
                        - name: x
                          size: 4
                          decoders: [{name: uint}]
                """));
        assertEquals("/configs/x.yaml:5: max_series of counter 'c' is for ring buffer counters; add ringbuf: MAP or remove it",
                refusal("""
                metrics:
                  counters:
                    - name: c
                      help: x
                      max_series: 3
                """));
        assertEquals("/configs/x.yaml:5: ring buffer counter 'c' lacks ringbuf_record; add it",
                refusal("""
                metrics:
                  counters:
                    - name: c
                      help: x
                      ringbuf: events
                """));
    }

    /** A config in ebpf_exporter's tracing form: a 48-byte span header, then the record's own fields. */
    private static final String SPANS = """
            tracing:
              spans:
                - name: wakeup
                  ringbuf: wakeup_spans
                  service: sched
                  labels:
                    - name: trace_id
                      size: 16
                      decoders:
                        - name: hex
                    - name: parent_span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_id
                      size: 8
                      decoders:
                        - name: hex
                    - name: span_monotonic_timestamp_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: span_duration_ns
                      size: 8
                      decoders:
                        - name: uint
                    - name: cpu.dest
                      size: 4
                      padding: 4
                      decoders:
                        - name: uint
                - ringbuf: other_spans
                  labels:
                    - name: span_name
                      size: 16
                      decoders: [{name: string}]
            """;

    @Test
    void readsTracingSpans() {
        ExporterConfig config = parse(SPANS);
        assertEquals(List.of(), config.metrics());
        SpanConfig span = config.spans().getFirst();
        assertEquals("wakeup", span.name());
        assertEquals("wakeup_spans", span.ringbuf());
        assertEquals("sched", span.service());
        assertEquals(null, span.recordType());
        assertEquals(List.of("trace_id", "parent_span_id", "span_id", "span_monotonic_timestamp_ns", "span_duration_ns",
                "cpu.dest"), span.labels().stream().map(LabelConfig::name).toList()); // attribute names: dots allowed
        assertEquals(56, span.labelBytes());
        assertEquals(new SourceLine(YAML, 4), span.where());
        SpanConfig unnamed = config.spans().get(1);
        assertEquals("other_spans", unnamed.name()); // ebpf_exporter: the ring buffer's name when the span has none
        assertEquals(null, unnamed.service());
    }

    @Test
    void badSpansAreRefusedWithTheirLine() {
        assertEquals("/configs/x.yaml:6: key 'help' of a span is not supported by jbpf export; remove it"
                + " (supported here: labels, name, ringbuf, ringbuf_record, service)",
                refusal(SPANS.replace("      service: sched", "      service: sched\n      help: x")));
        assertEquals("/configs/x.yaml:3: a span lacks ringbuf; add it", refusal(SPANS.replace("ringbuf: wakeup_spans", "")));
        assertEquals("/configs/x.yaml:3: key 'traces' of tracing is not supported by jbpf export; remove it"
                + " (supported here: spans)", refusal("tracing:\n  spans: []\n  traces: []\n"));
        assertEquals("/configs/x.yaml:1: config 'x' defines no metrics and no spans; add metrics.counters,"
                + " metrics.histograms or tracing.spans", refusal("tracing:\n  spans: []\n"));
        assertEquals("/configs/x.yaml:4: span 'wakeup' has no labels; describe its records from the first byte, e.g."
                + " trace_id (size 16), parent_span_id, span_id (8), span_monotonic_timestamp_ns, span_duration_ns (8),"
                + " as struct span_base_t lays them out", refusal("""
                tracing:
                  spans:
                    - name: wakeup
                      ringbuf: wakeup_spans
                """));
        assertEquals("/configs/x.yaml:7: trace_id of span 'wakeup' is an OpenTelemetry id of 16 bytes (32 hex digits),"
                + " but has size 8; make it size: 16", refusal(SPANS.replaceFirst("size: 16", "size: 8")));
        assertEquals("/configs/x.yaml:15: span_id of span 'wakeup' must decode to hex digits; use decoders: [{name: hex}]",
                refusal(SPANS.replace("name: span_id\n          size: 8\n          decoders:\n            - name: hex",
                        "name: span_id\n          size: 8\n          decoders:\n            - name: uint")));
        assertEquals("/configs/x.yaml:23: span_duration_ns of span 'wakeup' is a number of nanoseconds;"
                + " use decoders: [{name: uint}]", refusal(SPANS.replace(
                        "name: span_duration_ns\n          size: 8\n          decoders:\n            - name: uint",
                        "name: span_duration_ns\n          size: 8\n          decoders:\n            - name: hex")));
        assertEquals("/configs/x.yaml:27: label 'cpu.dest' appears twice in span 'wakeup'",
                refusal(SPANS.replace("name: span_duration_ns", "name: cpu.dest")));
        assertEquals("/configs/x.yaml:31: decoder uint reads 1, 2, 4 or 8 bytes, but label 'cpu.dest' has size 3;"
                + " fix the size or use hex", refusal(SPANS.replace("size: 4\n", "size: 3\n")));
    }
}
