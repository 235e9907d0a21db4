package dev.jbpf.exporter;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;
import dev.jbpf.kallsyms.KernelSymbols;
import dev.jbpf.link.Xdp;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.program.BpfProgram;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One config loaded into the kernel: its object (checked against the YAML before load), its
 * programs attached as ebpf_exporter attaches them, and the maps its metrics read. Owns the
 * {@link LoadedObject} (and through it every link), the perf events of {@code perf_event/}
 * sections, the ring buffer counters' poller and the {@code cgroup_id_map} keeper;
 * {@link #close()} stops the threads, then detaches and unloads everything.
 */
final class LoadedConfig implements AutoCloseable {
    /** A program of the object and how its attachment went. */
    record Program(BpfProgram program, boolean attached, String failure) {
    }

    private final ExporterConfig config;
    private final LoadedObject object;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final List<Program> programs = new ArrayList<>();
    private final List<PerCpuPerfEvents> perfEvents = new ArrayList<>();
    /** labels_from_btf of map metrics, by metric name. */
    private final Map<String, StructLabels> structLabels = new LinkedHashMap<>();
    private final List<RingbufTally> tallies = new ArrayList<>();
    /** Records of its spans that could not be decoded (part of ebpf_exporter_decoder_errors_total). */
    private final AtomicLong spanErrors = new AtomicLong();
    private RingbufPoller ringbufPoller;
    private CgroupIdMap cgroupIdMap;

    private LoadedConfig(ExporterConfig config, LoadedObject object) {
        this.config = config;
        this.object = object;
    }

    /**
     * Opens, checks, loads and attaches one config. A refused config or a failed load leaves
     * nothing behind; a program that does not attach is recorded (ebpf_exporter logs it and goes
     * on), {@code strict} makes it an error. Its spans' records are decoded with {@code decoders}
     * and sent through {@code tracing} (null when the config has no spans).
     */
    static LoadedConfig load(ExporterConfig config, Supplier<KernelSymbols> symbols, Decoders decoders, Tracing tracing) {
        if (!Files.isRegularFile(config.objectFile())) {
            throw new IllegalArgumentException(config.objectFile() + " does not exist: config '" + config.name()
                    + "' needs its BPF object beside " + config.yamlFile().getFileName());
        }
        Path cgroupRoot = null;
        if (config.cgroupIdMap() != null) {
            cgroupRoot = CgroupTree.cgroup2Root();
            if (cgroupRoot == null) {
                throw new ConfigException(config.cgroupIdMap().where(), "cgroup_id_map needs the cgroup v2 hierarchy, and"
                        + " /proc/self/mountinfo lists no cgroup2 mount; mount it (mount -t cgroup2 none /sys/fs/cgroup) or"
                        + " remove cgroup_id_map");
            }
        }
        LoadedObject loaded;
        Map<String, Integer> keyTypes = new LinkedHashMap<>(); // the BTF type of each labels_from_btf map's key
        OpenedObject opened = BpfObject.open(config.objectFile());
        try {
            checkMaps(opened, config);
            for (MetricConfig metric : config.metrics()) {
                if (metric.btfLabels() != null) {
                    keyTypes.put(metric.name(), opened.map(metric.mapName()).btfKeyTypeId());
                }
            }
            setKernelAddresses(opened, config, symbols);
            for (dev.jbpf.program.OpenedProgram program : opened.programs()) {
                // ebpf_exporter's own section form: libbpf knows no xdp/IFACE, so the type is set here (attached below)
                if (program.section().startsWith("xdp/")) {
                    program.type(dev.jbpf.program.ProgramType.XDP);
                }
            }
            loaded = opened.load();
        } catch (RuntimeException | Error e) {
            opened.close();
            throw e;
        }
        LoadedConfig result = new LoadedConfig(config, loaded);
        try {
            RingbufPoller.Builder rings = RingbufPoller.builder();
            for (MetricConfig metric : config.metrics()) {
                BpfMap map = loaded.map(metric.mapName());
                if (metric instanceof CounterConfig counter && counter.ringbuf() != null) {
                    StructLabels labels = counter.btfLabels() == null ? null
                            : recordLabels(loaded.btf(), counter, config);
                    RingbufTally tally = new RingbufTally(counter, labels);
                    result.tallies.add(tally);
                    rings.add(counter.ringbuf().map(), tally);
                    continue;
                }
                result.maps.put(metric.mapName(), map);
                if (metric.btfLabels() != null) {
                    result.structLabels.put(metric.name(), StructLabels.of(loaded.btf(), keyTypes.get(metric.name()),
                            metric.btfLabels(), metric, "the key of map '" + map.name() + "'", metric instanceof HistogramConfig));
                }
            }
            if (config.cgroupIdMap() != null) {
                // filled before the programs attach: they never see the map empty
                result.cgroupIdMap = CgroupIdMap.start(config.cgroupIdMap(), loaded.map(config.cgroupIdMap().name()),
                        cgroupRoot, config.name());
            }
            for (SpanConfig span : config.spans()) {
                rings.add(span.ringbuf(), new SpanSink(span, config.name(), decoders, tracing, result.spanErrors));
            }
            if (!rings.isEmpty()) {
                // reading before attaching: no record of the programs goes unread
                result.ringbufPoller = rings.start(loaded, config.name());
            }
            for (BpfProgram program : loaded.programs()) {
                if (program.isLoaded()) {
                    result.attach(program);
                }
            }
            return result;
        } catch (RuntimeException | Error e) {
            result.close();
            throw e;
        }
    }

    /**
     * ebpf_exporter reads the map named like each metric: it must exist, hold u64 values, and
     * its key must be exactly what the labels describe.
     */
    static void checkMaps(OpenedObject opened, ExporterConfig config) {
        if (config.cgroupIdMap() != null) {
            checkCgroupIdMap(opened, config);
        }
        for (SpanConfig span : config.spans()) {
            checkSpan(opened, span, config);
        }
        for (MetricConfig metric : config.metrics()) {
            if (metric instanceof CounterConfig counter && counter.ringbuf() != null) {
                checkRingbuf(opened, counter, config);
                continue;
            }
            OpenedMap map = opened.maps().stream().filter(m -> m.name().equals(metric.mapName())).findFirst()
                    .orElseThrow(() -> new ConfigException(metric.where(), config.objectFile().getFileName() + " has no map '"
                            + metric.mapName() + "' (its maps: " + String.join(", ", opened.maps().stream()
                                    .filter(m -> !m.isInternal()).map(OpenedMap::name).toList())
                            + "); name the metric after the map it reads"));
            if (map.keySize() == 0) {
                throw new ConfigException(metric.where(), "map '" + map.name() + "' is a " + map.type().displayName()
                        + " map, without keys; a metric reads a hash or array map");
            }
            if (map.valueSize() != 8) {
                throw new ConfigException(metric.where(), "map '" + map.name() + "' has " + map.valueSize()
                        + "-byte values; a metric's map holds u64 (8-byte) counts");
            }
            if (metric.btfLabels() != null) {
                StructLabels.of(opened.btf(), map.btfKeyTypeId(), metric.btfLabels(), metric,
                        "the key of map '" + map.name() + "'", metric instanceof HistogramConfig);
            } else {
                KeyLayout.check(metric, map.keySize(), map.type().isPerCpu(), () -> keyTypeName(opened, map));
            }
        }
    }

    /**
     * cgroup_id_map: the map exists, and is what its type says: for hash a hash (or LRU hash) map
     * with u64 keys, for cgrp_storage a BPF_MAP_TYPE_CGRP_STORAGE map; u64 values for both.
     */
    private static void checkCgroupIdMap(OpenedObject opened, ExporterConfig config) {
        CgroupIdMapConfig ids = config.cgroupIdMap();
        OpenedMap map = opened.maps().stream().filter(m -> m.name().equals(ids.name())).findFirst()
                .orElseThrow(() -> new ConfigException(ids.where(), config.objectFile().getFileName() + " has no map '"
                        + ids.name() + "' (its maps: " + String.join(", ", opened.maps().stream()
                                .filter(m -> !m.isInternal()).map(OpenedMap::name).toList())
                        + "); name the map the programs look cgroups up in"));
        String what = "map '" + map.name() + "' of cgroup_id_map";
        switch (ids.type()) {
            case HASH -> {
                if (map.type() == MapType.CGRP_STORAGE) {
                    throw new ConfigException(ids.typeWhere(), what + " is a cgrp_storage map, but the type is hash;"
                            + " say type: cgrp_storage");
                }
                if (map.type() != MapType.HASH && map.type() != MapType.LRU_HASH) {
                    throw new ConfigException(ids.typeWhere(), what + " is a " + map.type().displayName() + " map; type hash"
                            + " needs a hash or lru_hash map keyed by the u64 cgroup id");
                }
                if (map.keySize() != 8) {
                    throw new ConfigException(ids.where(), what + " has " + map.keySize() + "-byte keys; type hash keys it by"
                            + " the u64 cgroup id (bpf_get_current_cgroup_id): declare __type(key, u64)");
                }
            }
            case CGRP_STORAGE -> {
                if (map.type() != MapType.CGRP_STORAGE) {
                    throw new ConfigException(ids.typeWhere(), what + " is a " + map.type().displayName() + " map; type"
                            + " cgrp_storage needs a BPF_MAP_TYPE_CGRP_STORAGE map (or say type: hash for a hash map)");
                }
            }
        }
        if (map.valueSize() != 8) {
            throw new ConfigException(ids.where(), what + " has " + map.valueSize() + "-byte values; the exporter writes u64 1"
                    + " for each matching cgroup: declare __type(value, u64)");
        }
    }

    /** A ring buffer counter: its map is a ring buffer, its record a struct of the object's BTF. */
    private static void checkRingbuf(OpenedObject opened, CounterConfig counter, ExporterConfig config) {
        RingbufConfig ringbuf = counter.ringbuf();
        ringbufMap(opened, ringbuf.map(), ringbuf.where(), config);
        if (counter.btfLabels() != null) {
            recordLabels(opened.btf(), counter, config);
        } else {
            recordStruct(opened.btf(), counter, config);
        }
    }

    /**
     * A span: its map is a ring buffer; with {@code ringbuf_record}, the labels fit in that struct
     * (the span header, struct span_base_t's 48 bytes, and what follows it).
     */
    private static void checkSpan(OpenedObject opened, SpanConfig span, ExporterConfig config) {
        ringbufMap(opened, span.ringbuf(), span.where(), config);
        if (span.recordType() == null) {
            return;
        }
        BtfType.Struct struct = opened.btf().findStruct(span.recordType()).orElseThrow(() -> new ConfigException(span.where(),
                config.objectFile().getFileName() + " has no struct '" + span.recordType() + "' in its BTF; name the"
                        + " struct the program submits to '" + span.ringbuf() + "' in ringbuf_record"));
        int described = span.labelBytes();
        if (described > struct.size()) {
            throw new ConfigException(span.labels().getFirst().where(), "the labels of span '" + span.name() + "' describe "
                    + described + " bytes (sizes plus paddings), but its records, struct " + span.recordType() + ", have "
                    + struct.size() + "; make the labels after the span header fit in the struct");
        }
    }

    /** The ring buffer map {@code name} of the object, refused with {@code where} when it lacks it or it is of another type. */
    private static OpenedMap ringbufMap(OpenedObject opened, String name, SourceLine where, ExporterConfig config) {
        OpenedMap map = opened.maps().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException(where, config.objectFile().getFileName() + " has no map '"
                        + name + "' (its maps: " + String.join(", ", opened.maps().stream()
                                .filter(m -> !m.isInternal()).map(OpenedMap::name).toList()) + ")"));
        if (map.type() != MapType.RINGBUF) {
            throw new ConfigException(where, "map '" + map.name() + "' is a " + map.type().displayName()
                    + " map; ringbuf names a BPF_MAP_TYPE_RINGBUF map");
        }
        return map;
    }

    private static BtfType.Struct recordStruct(Btf btf, CounterConfig counter, ExporterConfig config) {
        RingbufConfig ringbuf = counter.ringbuf();
        return btf.findStruct(ringbuf.recordType()).orElseThrow(() -> new ConfigException(ringbuf.where(),
                config.objectFile().getFileName() + " has no struct '" + ringbuf.recordType() + "' in its BTF; name the"
                        + " struct the program submits to '" + ringbuf.map() + "' in ringbuf_record"));
    }

    private static StructLabels recordLabels(Btf btf, CounterConfig counter, ExporterConfig config) {
        BtfType.Struct struct = recordStruct(btf, counter, config);
        return StructLabels.of(btf, struct.id(), counter.btfLabels(), counter,
                "the records of ring buffer '" + counter.ringbuf().map() + "'", false);
    }

    private static String keyTypeName(OpenedObject opened, OpenedMap map) {
        try {
            return map.btfKeyTypeId() == 0 ? null : opened.btf().typeName(map.btfKeyTypeId());
        } catch (RuntimeException noBtf) {
            return null;
        }
    }

    private static void setKernelAddresses(OpenedObject opened, ExporterConfig config, Supplier<KernelSymbols> symbols) {
        for (KernelAddress kaddr : config.kaddrs()) {
            long address = symbols.get().addressOf(kaddr.symbol()).orElseThrow(() -> new ConfigException(kaddr.where(),
                    "kernel symbol '" + kaddr.symbol() + "' is not in /proc/kallsyms (or its addresses are hidden:"
                            + " kernel.kptr_restrict, CAP_SYSLOG); fix the name"));
            if (!opened.globals().names().contains(kaddr.variable())) {
                throw new ConfigException(kaddr.where(), config.objectFile().getFileName() + " has no global '"
                        + kaddr.variable() + "'; declare const volatile u64 " + kaddr.variable() + " in the BPF program");
            }
            opened.globals().setLong(kaddr.variable(), address);
        }
    }

    /** As ebpf_exporter: its own section forms (xdp/IFACE, perf_event/...), else libbpf's auto-attach. */
    private void attach(BpfProgram program) {
        String section = program.section();
        try {
            if (section.startsWith("xdp/")) {
                program.attach(new Xdp(section.substring("xdp/".length())));
            } else if (section.startsWith("perf_event/")) {
                PerCpuPerfEvents events = perfEvents(section).openOnEveryCpu();
                perfEvents.add(events);
                events.attach(program);
            } else {
                program.attach();
            }
            programs.add(new Program(program, true, null));
        } catch (RuntimeException e) {
            programs.add(new Program(program, false, e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("")));
        }
    }

    /** {@code perf_event/type=T,config=C[,frequency=F]}: one event per online CPU. */
    static PerfEvent.Builder perfEvents(String section) {
        int type = -1;
        long eventConfig = 0;
        long frequency = 0;
        for (String item : section.substring("perf_event/".length()).split(",")) {
            String[] pair = item.split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("section " + section + ": '" + item + "' is not KEY=VALUE");
            }
            long value;
            try {
                value = Long.parseLong(pair[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("section " + section + ": '" + pair[1] + "' is not an integer");
            }
            switch (pair[0]) {
                case "type" -> type = Math.toIntExact(value);
                case "config" -> eventConfig = value;
                case "frequency" -> frequency = value;
                default -> throw new IllegalArgumentException("section " + section + ": unknown item '" + pair[0]
                        + "' (type, config, frequency)");
            }
        }
        if (type < 0) {
            throw new IllegalArgumentException("section " + section + " names no type=");
        }
        PerfEvent.Builder builder = PerfEvent.builder(PerfEventType.of(type, eventConfig));
        return frequency > 0 ? builder.sampleFrequency(frequency) : builder;
    }

    ExporterConfig config() {
        return config;
    }

    BpfMap map(String name) {
        return maps.get(name);
    }

    /** labels_from_btf of a map metric, or null. */
    StructLabels structLabels(String metricName) {
        return structLabels.get(metricName);
    }

    /** The ring buffer counters' tallies (none when the config has no ringbuf counter). */
    List<RingbufTally> ringbufTallies() {
        return List.copyOf(tallies);
    }

    /** Records of the config's spans that could not be decoded. */
    long spanDecodeErrors() {
        return spanErrors.get();
    }

    List<Program> programs() {
        return List.copyOf(programs);
    }

    /** The cgroup_id_map keeper, or null when the config has none. */
    CgroupIdMap cgroupIdMap() {
        return cgroupIdMap;
    }

    @Override
    public void close() {
        try {
            if (cgroupIdMap != null) {
                cgroupIdMap.close(); // its thread writes the object's map
            }
        } finally {
            try {
                if (ringbufPoller != null) {
                    ringbufPoller.close(); // its thread reads the object's ring buffers
                }
            } finally {
                closeObject();
            }
        }
    }

    private void closeObject() {
        try {
            object.close(); // detaches the links it made first
        } finally {
            for (PerCpuPerfEvents events : perfEvents) {
                events.close();
            }
        }
    }
}
