package dev.jbpf.exporter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads ebpf_exporter's YAML configs ({@code DIR/NAME.yaml}) through SnakeYAML's node tree, so
 * that every refusal names its line. Strict where ebpf_exporter is lenient: a key jbpf does not
 * support (or ebpf_exporter does not know) is an error, never silently ignored; so are values
 * ebpf_exporter would only fail on at scrape time (a histogram without buckets, a label without
 * decoders, a decoder that cannot read its input). Holds nothing; thread-safe.
 */
public final class ConfigParser {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private ConfigParser() {
    }

    /**
     * The configs {@code names} of {@code dir}, as {@code --config.dir} and {@code --config.names}
     * give them; metric names must be distinct across them (they share one namespace).
     *
     * @throws ConfigException naming file and line of the first problem
     */
    public static List<ExporterConfig> parse(Path dir, List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--config.names is empty: name at least one config (NAME for DIR/NAME.yaml)");
        }
        List<ExporterConfig> configs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Map<String, SourceLine> metricNames = new HashMap<>();
        for (String name : names) {
            if (name.isBlank() || name.contains("/")) {
                throw new IllegalArgumentException("--config.names: '" + name + "' is not a config name (NAME of DIR/NAME.yaml)");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("--config.names names '" + name + "' twice");
            }
            Path yaml = dir.resolve(name + ".yaml");
            if (!Files.isRegularFile(yaml)) {
                throw new IllegalArgumentException(yaml + " does not exist: config '" + name + "' of --config.names needs "
                        + name + ".yaml and " + name + ".bpf.o in --config.dir " + dir);
            }
            String text;
            try {
                text = Files.readString(yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + yaml + ": " + e.getMessage(), e);
            }
            ExporterConfig config = parse(name, yaml, dir.resolve(name + ".bpf.o"), text);
            for (MetricConfig metric : config.metrics()) {
                SourceLine earlier = metricNames.putIfAbsent(metric.name(), metric.where());
                if (earlier != null) {
                    throw new ConfigException(metric.where(), "metric '" + metric.name() + "' is defined already at "
                            + earlier + "; give each metric its own name");
                }
            }
            configs.add(config);
        }
        return configs;
    }

    /**
     * The configs of {@code dir}: the NAME of every NAME.yaml, sorted. jbpf's default when
     * {@code --config.names} is not given, so that a reload also sees configs added or removed.
     */
    public static List<String> namesIn(Path dir) {
        try (var files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                    .map(f -> f.substring(0, f.length() - ".yaml".length())).sorted().toList();
            if (names.isEmpty()) {
                throw new IllegalArgumentException("--config.dir " + dir + " has no NAME.yaml; add a config or name them with --config.names");
            }
            return names;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list --config.dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One config from its YAML text (the object file is not read here). */
    public static ExporterConfig parse(String name, Path yamlFile, Path objectFile, String yamlText) {
        return new FileParser(yamlFile).config(name, objectFile, yamlText);
    }

    /** The parse of one file: knows the file, for the lines of its errors. */
    private record FileParser(Path file) {
        ExporterConfig config(String name, Path objectFile, String text) {
            Node root;
            try (Reader reader = new StringReader(text)) {
                root = new Yaml(new LoaderOptions()).compose(reader);
            } catch (MarkedYAMLException e) {
                throw new ConfigException(new SourceLine(file, e.getProblemMark().getLine() + 1),
                        "not valid YAML: " + e.getProblem());
            } catch (YAMLException | IOException e) {
                throw new ConfigException(new SourceLine(file, 1), "not valid YAML: " + e.getMessage());
            }
            if (root == null) {
                throw new ConfigException(new SourceLine(file, 1), "the config is empty; it needs metrics.counters or metrics.histograms");
            }
            Map<String, NodeTuple> top = mapping(root, "the config", Set.of("metrics", "tracing", "kaddrs", "name", "cgroup_id_map"),
                    Map.of());
            List<CounterConfig> counters = new ArrayList<>();
            List<HistogramConfig> histograms = new ArrayList<>();
            NodeTuple metrics = top.get("metrics");
            if (metrics != null) {
                Map<String, NodeTuple> kinds = mapping(metrics.getValueNode(), "metrics", Set.of("counters", "histograms"), Map.of());
                if (kinds.containsKey("counters")) {
                    for (Node node : sequence(kinds.get("counters").getValueNode(), "metrics.counters")) {
                        counters.add(counter(node));
                    }
                }
                if (kinds.containsKey("histograms")) {
                    for (Node node : sequence(kinds.get("histograms").getValueNode(), "metrics.histograms")) {
                        histograms.add(histogram(node));
                    }
                }
            }
            List<SpanConfig> spans = new ArrayList<>();
            NodeTuple tracing = top.get("tracing");
            if (tracing != null) {
                Map<String, NodeTuple> keys = mapping(tracing.getValueNode(), "tracing", Set.of("spans"), Map.of());
                if (keys.containsKey("spans")) {
                    for (Node node : sequence(keys.get("spans").getValueNode(), "tracing.spans")) {
                        spans.add(span(node));
                    }
                }
            }
            if (counters.isEmpty() && histograms.isEmpty() && spans.isEmpty()) {
                NodeTuple section = metrics != null ? metrics : tracing;
                throw new ConfigException(line(section == null ? root : section.getKeyNode()), "config '" + name
                        + "' defines no metrics and no spans; add metrics.counters, metrics.histograms or tracing.spans");
            }
            List<KernelAddress> kaddrs = new ArrayList<>();
            if (top.containsKey("kaddrs")) {
                for (Node node : sequence(top.get("kaddrs").getValueNode(), "kaddrs")) {
                    kaddrs.add(new KernelAddress(scalar(node, "a kaddrs entry"), line(node)));
                }
            }
            CgroupIdMapConfig cgroupIdMap = top.containsKey("cgroup_id_map") ? cgroupIdMap(top.get("cgroup_id_map")) : null;
            return new ExporterConfig(name, file, objectFile, counters, histograms, kaddrs, cgroupIdMap, spans);
        }

        /** cgroup_id_map: {name, type (hash, the default, or cgrp_storage), regexps}. */
        private CgroupIdMapConfig cgroupIdMap(NodeTuple tuple) {
            SourceLine keyLine = line(tuple.getKeyNode());
            Map<String, NodeTuple> keys = mapping(tuple.getValueNode(), "cgroup_id_map", Set.of("name", "type", "regexps"), Map.of());
            String name = required(keys, "name", keyLine, "cgroup_id_map");
            SourceLine nameLine = line(keys.get("name").getValueNode());
            CgroupIdMapConfig.Type type = CgroupIdMapConfig.Type.HASH; // ebpf_exporter's default (its maps before cgrp_storage)
            SourceLine typeLine = nameLine;
            if (keys.containsKey("type")) {
                typeLine = line(keys.get("type").getValueNode());
                String text = scalar(keys.get("type").getValueNode(), "type");
                type = switch (text) {
                    case "hash", "" -> CgroupIdMapConfig.Type.HASH;
                    case "cgrp_storage" -> CgroupIdMapConfig.Type.CGRP_STORAGE;
                    default -> throw new ConfigException(typeLine, "unknown cgroup_id_map type '" + text
                            + "'; use hash (a hash map keyed by u64 cgroup id) or cgrp_storage (a BPF_MAP_TYPE_CGRP_STORAGE map)");
                };
            }
            List<Pattern> regexps = keys.containsKey("regexps") ? regexps(keys.get("regexps").getValueNode()) : List.of();
            if (regexps.isEmpty()) {
                throw new ConfigException(keys.containsKey("regexps") ? line(keys.get("regexps").getKeyNode()) : keyLine,
                        "cgroup_id_map '" + name + "' has no regexps, so no cgroup would be in its map; list the patterns of"
                                + " the cgroup paths to put in it, e.g. regexps: [\"^.*(system.slice/.*)$\"]");
            }
            return new CgroupIdMapConfig(name, type, regexps, nameLine, typeLine);
        }

        private List<Pattern> regexps(Node list) {
            List<Pattern> regexps = new ArrayList<>();
            for (Node regexp : sequence(list, "regexps")) {
                String text = scalar(regexp, "a regexp");
                try {
                    regexps.add(Pattern.compile(text));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(line(regexp), "regexp '" + text + "' does not compile: "
                            + e.getDescription() + " near index " + e.getIndex());
                }
            }
            return regexps;
        }

        private CounterConfig counter(Node node) {
            Map<String, NodeTuple> keys = mapping(node, "a counter", Set.of("name", "help", "labels", "perf_event_array",
                    "labels_from_btf", "ringbuf", "ringbuf_record", "max_series"),
                    Map.of("flush_interval", "flush_interval (perf_event_array counters) is not supported by jbpf export yet; remove it"));
            SourceLine where = line(node);
            String name = metricName(keys, where, "counter");
            String help = required(keys, "help", where, "counter '" + name + "'");
            if (keys.containsKey("perf_event_array") && bool(keys.get("perf_event_array").getValueNode())) {
                throw new ConfigException(line(keys.get("perf_event_array").getKeyNode()),
                        "perf_event_array counters are not supported by jbpf export yet; use a hash or array map named '"
                                + name + "'");
            }
            String what = "counter '" + name + "'";
            BtfLabelsConfig btfLabels = btfLabels(keys, what);
            List<LabelConfig> labels = labels(keys, what, false, btfLabels != null);
            RingbufConfig ringbuf = null;
            if (keys.containsKey("ringbuf")) {
                SourceLine ringbufLine = line(keys.get("ringbuf").getKeyNode());
                String map = required(keys, "ringbuf", where, what);
                String record = required(keys, "ringbuf_record", ringbufLine, "ring buffer " + what);
                if (!labels.isEmpty()) {
                    throw new ConfigException(line(keys.get("labels").getKeyNode()), what + " counts ring buffer records, whose"
                            + " labels come from the record's fields; replace labels with labels_from_btf: true (or a list of fields)");
                }
                int maxSeries = RingbufConfig.DEFAULT_MAX_SERIES;
                if (keys.containsKey("max_series")) {
                    maxSeries = integer(keys.get("max_series").getValueNode());
                    if (maxSeries <= 0) {
                        throw new ConfigException(line(keys.get("max_series").getValueNode()), "max_series of " + what
                                + " must be above 0");
                    }
                }
                ringbuf = new RingbufConfig(map, record, maxSeries, ringbufLine);
            } else {
                for (String key : List.of("ringbuf_record", "max_series")) {
                    if (keys.containsKey(key)) {
                        throw new ConfigException(line(keys.get(key).getKeyNode()), key + " of " + what
                                + " is for ring buffer counters; add ringbuf: MAP or remove it");
                    }
                }
            }
            return new CounterConfig(name, help, labels, btfLabels, ringbuf, line(keys.get("name").getValueNode()));
        }

        /** labels_from_btf: true (every field), a list of fields, or false/absent (null). */
        private BtfLabelsConfig btfLabels(Map<String, NodeTuple> keys, String what) {
            NodeTuple tuple = keys.get("labels_from_btf");
            if (tuple == null) {
                return null;
            }
            SourceLine where = line(tuple.getKeyNode());
            if (keys.containsKey("labels")) {
                throw new ConfigException(where, what + " has both labels and labels_from_btf; keep one (labels_from_btf"
                        + " names each label after a field of the key's BTF struct)");
            }
            Node value = tuple.getValueNode();
            if (value instanceof ScalarNode) {
                return bool(value) ? new BtfLabelsConfig(List.of(), where) : null;
            }
            List<String> fields = new ArrayList<>();
            for (Node field : sequence(value, "labels_from_btf of " + what)) {
                String text = scalar(field, "a field name");
                if (fields.contains(text)) {
                    throw new ConfigException(line(field), "field '" + text + "' appears twice in labels_from_btf of " + what);
                }
                fields.add(text);
            }
            if (fields.isEmpty()) {
                throw new ConfigException(where, "labels_from_btf of " + what + " lists no field; say true for all of them");
            }
            return new BtfLabelsConfig(fields, where);
        }

        private HistogramConfig histogram(Node node) {
            Map<String, NodeTuple> keys = mapping(node, "a histogram", Set.of("name", "help", "bucket_type", "bucket_multiplier",
                    "bucket_min", "bucket_max", "bucket_keys", "labels", "labels_from_btf"), Map.of());
            SourceLine where = line(node);
            String name = metricName(keys, where, "histogram");
            String what = "histogram '" + name + "'";
            String help = required(keys, "help", where, what);
            String typeText = required(keys, "bucket_type", where, what);
            BucketType type = BucketType.ofYaml(typeText).orElseThrow(() -> new ConfigException(
                    line(keys.get("bucket_type").getValueNode()), "unknown bucket_type '" + typeText
                            + "' of " + what + "; use exp2, exp2zero, linear or fixed"));
            double multiplier = keys.containsKey("bucket_multiplier") ? number(keys.get("bucket_multiplier").getValueNode()) : 0;
            if (multiplier < 0 || !Double.isFinite(multiplier)) {
                throw new ConfigException(line(keys.get("bucket_multiplier").getValueNode()),
                        "bucket_multiplier of " + what + " must be a positive number");
            }
            if (multiplier == 0) {
                multiplier = 1; // ebpf_exporter: 0 (or absent) means 1
            }
            int min = keys.containsKey("bucket_min") ? integer(keys.get("bucket_min").getValueNode()) : 0;
            int max = keys.containsKey("bucket_max") ? integer(keys.get("bucket_max").getValueNode()) : 0;
            List<Double> bucketKeys = new ArrayList<>();
            if (keys.containsKey("bucket_keys")) {
                for (Node key : sequence(keys.get("bucket_keys").getValueNode(), "bucket_keys")) {
                    bucketKeys.add(number(key));
                }
            }
            if (type == BucketType.FIXED) {
                if (bucketKeys.isEmpty()) {
                    throw new ConfigException(where, what + " is fixed but has no bucket_keys; list its bucket keys");
                }
                for (int i = 1; i < bucketKeys.size(); i++) {
                    if (bucketKeys.get(i) <= bucketKeys.get(i - 1)) {
                        throw new ConfigException(line(keys.get("bucket_keys").getValueNode()),
                                "bucket_keys of " + what + " must be ascending");
                    }
                }
            } else {
                if (keys.containsKey("bucket_keys")) {
                    throw new ConfigException(line(keys.get("bucket_keys").getKeyNode()),
                            "bucket_keys is for bucket_type fixed, not " + typeText + "; remove it or use bucket_min/bucket_max");
                }
                if (max <= min) {
                    throw new ConfigException(line(keys.containsKey("bucket_max") ? keys.get("bucket_max").getKeyNode() : node),
                            what + " has no buckets: bucket_max (" + max + ") must be above bucket_min (" + min + ")");
                }
            }
            BtfLabelsConfig btfLabels = btfLabels(keys, what);
            List<LabelConfig> labels = labels(keys, what, true, btfLabels != null);
            return new HistogramConfig(name, help, type, multiplier, min, max, bucketKeys, labels, btfLabels,
                    line(keys.get("name").getValueNode()));
        }

        /**
         * An entry of tracing.spans, as ebpf_exporter reads it (name, ringbuf, service, labels), and
         * jbpf's ringbuf_record. Its labels are attribute names (any text), not Prometheus label names.
         */
        private SpanConfig span(Node node) {
            Map<String, NodeTuple> keys = mapping(node, "a span", Set.of("name", "ringbuf", "service", "labels",
                    "ringbuf_record"), Map.of());
            SourceLine where = line(node);
            String map = required(keys, "ringbuf", where, "a span");
            SourceLine ringbufLine = line(keys.get("ringbuf").getKeyNode());
            String name = keys.containsKey("name") ? scalar(keys.get("name").getValueNode(), "name") : "";
            String what = "span '" + (name.isEmpty() ? map : name) + "'";
            String service = keys.containsKey("service") ? scalar(keys.get("service").getValueNode(), "service") : "";
            String record = keys.containsKey("ringbuf_record") ? required(keys, "ringbuf_record", where, what) : null;
            List<LabelConfig> labels = new ArrayList<>();
            Set<String> names = new HashSet<>();
            if (keys.containsKey("labels")) {
                for (Node labelNode : sequence(keys.get("labels").getValueNode(), "labels of " + what)) {
                    LabelConfig label = label(labelNode, what, true);
                    if (!names.add(label.name())) {
                        throw new ConfigException(label.where(), "label '" + label.name() + "' appears twice in " + what);
                    }
                    checkSpanLabel(label, what);
                    labels.add(label);
                }
            }
            if (labels.isEmpty()) {
                throw new ConfigException(ringbufLine, what + " has no labels; describe its records from the first byte,"
                        + " e.g. trace_id (size 16), parent_span_id, span_id (8), span_monotonic_timestamp_ns,"
                        + " span_duration_ns (8), as struct span_base_t lays them out");
            }
            return new SpanConfig(name.isEmpty() ? map : name, map, service.isEmpty() ? null : service, record, labels,
                    ringbufLine);
        }

        /** The labels that make the span: refused when they could decode no record into an id or a number. */
        private static void checkSpanLabel(LabelConfig label, String what) {
            int idSize = switch (label.name()) {
                case SpanConfig.TRACE_ID -> 16;
                case SpanConfig.PARENT_SPAN_ID, SpanConfig.SPAN_ID -> 8;
                default -> 0;
            };
            List<String> chain = label.decoders().stream().map(DecoderConfig::name).toList();
            if (idSize > 0 && chain.equals(List.of("hex")) && label.size() != idSize) {
                throw new ConfigException(label.where(), label.name() + " of " + what + " is an OpenTelemetry id of "
                        + idSize + " bytes (" + 2 * idSize + " hex digits), but has size " + label.size() + "; make it size: "
                        + idSize);
            }
            if (idSize > 0 && !chain.getFirst().equals("hex")) {
                throw new ConfigException(label.where(), label.name() + " of " + what + " must decode to hex digits;"
                        + " use decoders: [{name: hex}]");
            }
            if ((label.name().equals(SpanConfig.START) || label.name().equals(SpanConfig.DURATION)) && !chain.getFirst().equals("uint")) {
                throw new ConfigException(label.where(), label.name() + " of " + what + " is a number of nanoseconds;"
                        + " use decoders: [{name: uint}]");
            }
        }

        private String metricName(Map<String, NodeTuple> keys, SourceLine where, String kind) {
            String name = required(keys, "name", where, "a " + kind);
            if (!METRIC_NAME.matcher(name).matches()) {
                throw new ConfigException(line(keys.get("name").getValueNode()), "'" + name
                        + "' is not a Prometheus metric name; use letters, digits and '_'");
            }
            return name;
        }

        private List<LabelConfig> labels(Map<String, NodeTuple> keys, String what, boolean histogram, boolean fromBtf) {
            List<LabelConfig> labels = new ArrayList<>();
            Set<String> names = new HashSet<>();
            if (keys.containsKey("labels")) {
                for (Node node : sequence(keys.get("labels").getValueNode(), "labels of " + what)) {
                    LabelConfig label = label(node, what, false);
                    if (!names.add(label.name())) {
                        throw new ConfigException(label.where(), "label '" + label.name() + "' appears twice in " + what);
                    }
                    labels.add(label);
                }
            }
            if (histogram && !fromBtf) {
                if (labels.isEmpty()) {
                    throw new ConfigException(line(keys.get("name").getValueNode()), what
                            + " has no labels; its last label must be the bucket index (e.g. name: bucket, size: 8, decoders: [uint]),"
                            + " or say labels_from_btf: true (the key struct's last field is the bucket)");
                }
                for (LabelConfig label : labels.subList(0, labels.size() - 1)) {
                    if (label.name().equals("le")) {
                        throw new ConfigException(label.where(), "'le' is the bucket label of a histogram; rename this label");
                    }
                }
            }
            return labels;
        }

        /** A label of a metric ({@code attribute} false: a Prometheus label name) or of a span (any text). */
        private LabelConfig label(Node node, String what, boolean attribute) {
            Map<String, NodeTuple> keys = mapping(node, "a label", Set.of("name", "size", "padding", "decoders"), Map.of());
            SourceLine where = line(node);
            String name = required(keys, "name", where, "a label of " + what);
            SourceLine nameLine = line(keys.get("name").getValueNode());
            if (!attribute && (!LABEL_NAME.matcher(name).matches() || name.startsWith("__"))) {
                throw new ConfigException(nameLine, "'" + name + "' is not a Prometheus label name; use letters, digits and '_'");
            }
            int size = keys.containsKey("size") ? integer(keys.get("size").getValueNode()) : 0;
            if (size <= 0) {
                throw new ConfigException(keys.containsKey("size") ? line(keys.get("size").getValueNode()) : nameLine,
                        "label '" + name + "' of " + what + " needs a size above 0: the bytes of the "
                                + (attribute ? "record" : "map key") + " it reads");
            }
            int padding = keys.containsKey("padding") ? integer(keys.get("padding").getValueNode()) : 0;
            if (padding < 0) {
                throw new ConfigException(line(keys.get("padding").getValueNode()), "padding of label '" + name + "' is negative");
            }
            List<DecoderConfig> decoders = new ArrayList<>();
            if (keys.containsKey("decoders")) {
                for (Node decoder : sequence(keys.get("decoders").getValueNode(), "decoders of label '" + name + "'")) {
                    decoders.add(decoder(decoder));
                }
            }
            if (decoders.isEmpty()) {
                throw new ConfigException(nameLine, "label '" + name + "' of " + what
                        + " has no decoders; add one, e.g. decoders: [{name: uint}]");
            }
            LabelConfig label = new LabelConfig(name, size, padding, decoders, nameLine);
            Decoders.checkChain(label);
            return label;
        }

        private DecoderConfig decoder(Node node) {
            Map<String, NodeTuple> keys = mapping(node, "a decoder", Set.of("name", "static_map", "regexps", "allow_unknown"), Map.of());
            SourceLine where = line(node);
            String name = required(keys, "name", where, "a decoder");
            SourceLine nameLine = line(keys.get("name").getValueNode());
            Decoders.requireKnown(name, nameLine);
            Map<String, String> staticMap = new LinkedHashMap<>();
            if (keys.containsKey("static_map")) {
                Node table = keys.get("static_map").getValueNode();
                for (Map.Entry<String, NodeTuple> entry : mapping(table, "static_map", null, Map.of()).entrySet()) {
                    staticMap.put(entry.getKey(), scalar(entry.getValue().getValueNode(), "a static_map value"));
                }
            }
            List<Pattern> regexps = keys.containsKey("regexps") ? regexps(keys.get("regexps").getValueNode()) : List.of();
            if (name.equals("regexp") && regexps.isEmpty()) {
                throw new ConfigException(nameLine, "decoder regexp needs regexps: a list of patterns (label sets matching none are dropped)");
            }
            boolean allowUnknown = keys.containsKey("allow_unknown") && bool(keys.get("allow_unknown").getValueNode());
            return new DecoderConfig(name, staticMap, regexps, allowUnknown, nameLine);
        }

        // ---- node helpers: each refusal names the line

        /**
         * The keys of a mapping node, in order. {@code allowed} null: any key; else a key outside
         * it is refused (with {@code unsupported}'s reason when it has one).
         */
        private Map<String, NodeTuple> mapping(Node node, String what, Set<String> allowed, Map<String, String> unsupported) {
            if (!(node instanceof MappingNode mapping)) {
                throw new ConfigException(line(node), what + " must be a mapping of keys to values");
            }
            Map<String, NodeTuple> keys = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = scalar(tuple.getKeyNode(), "a key");
                if (unsupported.containsKey(key)) {
                    throw new ConfigException(line(tuple.getKeyNode()), unsupported.get(key));
                }
                if (allowed != null && !allowed.contains(key)) {
                    throw new ConfigException(line(tuple.getKeyNode()), "key '" + key + "' of " + what
                            + " is not supported by jbpf export; remove it (supported here: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
                }
                if (keys.put(key, tuple) != null) {
                    throw new ConfigException(line(tuple.getKeyNode()), "key '" + key + "' appears twice in " + what);
                }
            }
            return keys;
        }

        private List<Node> sequence(Node node, String what) {
            if (node instanceof ScalarNode scalar && scalar.getValue().isEmpty()) {
                return List.of(); // "counters:" with nothing under it
            }
            if (!(node instanceof SequenceNode sequence)) {
                throw new ConfigException(line(node), what + " must be a list");
            }
            return sequence.getValue();
        }

        private String scalar(Node node, String what) {
            if (!(node instanceof ScalarNode scalar)) {
                throw new ConfigException(line(node), what + " must be a single value");
            }
            return scalar.getValue(); // the text as written, as ebpf_exporter's YAML library gives strings
        }

        private String required(Map<String, NodeTuple> keys, String key, SourceLine where, String what) {
            NodeTuple tuple = keys.get(key);
            String value = tuple == null ? "" : scalar(tuple.getValueNode(), key);
            if (value.isEmpty()) {
                throw new ConfigException(tuple == null ? where : line(tuple.getKeyNode()), what + " lacks " + key + "; add it");
            }
            return value;
        }

        private int integer(Node node) {
            String text = scalar(node, "a number").replace("_", "");
            try {
                long value = text.startsWith("0x") || text.startsWith("0X") ? Long.parseLong(text.substring(2), 16)
                        : text.startsWith("0o") ? Long.parseLong(text.substring(2), 8) : Long.parseLong(text);
                return Math.toIntExact(value);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new ConfigException(line(node), "'" + text + "' is not an integer");
            }
        }

        private double number(Node node) {
            String text = scalar(node, "a number").replace("_", "");
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new ConfigException(line(node), "'" + text + "' is not a number");
            }
        }

        private boolean bool(Node node) {
            String text = scalar(node, "true or false");
            return switch (text) {
                case "true", "True", "TRUE", "yes", "on" -> true;
                case "false", "False", "FALSE", "no", "off" -> false;
                default -> throw new ConfigException(line(node), "'" + text + "' is not true or false");
            };
        }

        private SourceLine line(Node node) {
            return new SourceLine(file, node.getStartMark().getLine() + 1);
        }
    }
}
