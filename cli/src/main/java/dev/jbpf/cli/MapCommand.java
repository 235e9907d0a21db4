package dev.jbpf.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfFormatter;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapEntry;
import dev.jbpf.map.MapInfo;
import dev.jbpf.map.UpdateFlag;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jbpf map list | dump SELECTOR}: the kernel's BPF maps. */
@Command(name = "map", description = "Inspect BPF maps.", mixinStandardHelpOptions = true,
        subcommands = {MapCommand.ListMaps.class, MapCommand.DumpMap.class, MapCommand.Lookup.class,
                MapCommand.Update.class, MapCommand.Delete.class, MapCommand.Pin.class, MapKindCommands.Push.class,
                MapKindCommands.Pop.class, MapKindCommands.Peek.class, MapKindCommands.Freeze.class,
                MapKindCommands.Create.class})
final class MapCommand {

    /** Type names as bpftool prints them ("hash", "percpu_array", "lru_hash"). */
    static String typeName(Enum<?> type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Command(name = "list", aliases = "show",
            description = "List every BPF map in the kernel, or those a selector names: " + ObjectSelector.MAP_SYNTAX
                    + ". With -j a selector that names one map prints one object, as bpftool does.")
    static final class ListMaps implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = ObjectSelector.MAP_SYNTAX)
        List<String> selector;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            boolean all = selector == null || selector.isEmpty();
            List<MapInfo> maps = all ? MapInfo.listAll() : ObjectSelector.map(selector).maps();
            if (options.json()) {
                if (!all && maps.size() == 1) { // bpftool: one object for one map, an array for more
                    Output.printJson(out, json(maps.get(0), fdInfo(maps.get(0))), options);
                    return Main.EXIT_OK;
                }
                try (Output.JsonArrayWriter array = new Output.JsonArrayWriter(out, options)) {
                    maps.forEach(info -> array.add(json(info, fdInfo(info))));
                }
                return Main.EXIT_OK;
            }
            for (MapInfo info : maps) {
                printText(out, info, fdInfo(info));
            }
            out.flush();
            return Main.EXIT_OK;
        }

        /**
         * What only the map's fdinfo tells (memlock, frozen, a prog array's owner), read through
         * a new fd closed at once; empty when the map is gone since it was listed.
         */
        private static java.util.Map<String, String> fdInfo(MapInfo info) {
            return dev.jbpf.internal.FdInfo.ofMapId(info.id());
        }

        /** bpftool's text: header, sizes and memlock, a prog array's owner, BTF and frozen. */
        private static void printText(PrintWriter out, MapInfo info, java.util.Map<String, String> fdInfo) {
            out.printf("%d: %s  %sflags 0x%x%n", info.id(), typeName(info.type()),
                    info.name().isEmpty() ? "" : "name " + info.name() + "  ", info.flags());
            out.printf("\tkey %dB  value %dB  max_entries %d%s%n", info.keySize(), info.valueSize(), info.maxEntries(),
                    fdInfo.containsKey("memlock") ? "  memlock " + fdInfo.get("memlock") + "B" : "");
            if (fdInfo.containsKey("owner_prog_type") || fdInfo.containsKey("owner_jited")) {
                out.printf("\t%s%s%n", fdInfo.containsKey("owner_prog_type")
                        ? "owner_prog_type " + programTypeName(fdInfo.get("owner_prog_type")) + "  " : "",
                        fdInfo.containsKey("owner_jited") ? "owner" + ("0".equals(fdInfo.get("owner_jited")) ? " not" : "") + " jited" : "");
            }
            boolean frozen = frozen(fdInfo) != 0;
            if (info.btfId() != 0 || frozen) {
                out.printf("\t%s%s%n", info.btfId() != 0 ? "btf_id " + info.btfId() : "",
                        frozen ? (info.btfId() != 0 ? "  " : "") + "frozen" : "");
            }
        }

        private static long frozen(java.util.Map<String, String> fdInfo) {
            return dev.jbpf.internal.FdInfo.number(fdInfo, "frozen", 0);
        }

        /** A program type number from fdinfo, named as bpftool names it. */
        private static String programTypeName(String number) {
            try {
                dev.jbpf.program.ProgramType type = dev.jbpf.program.ProgramType.of(Integer.parseInt(number));
                return type == dev.jbpf.program.ProgramType.UNKNOWN ? number : typeName(type);
            } catch (NumberFormatException e) {
                return number;
            }
        }

        /** One map as {@code bpftool map show -j} prints it (same fields, order and types). */
        static ObjectNode json(MapInfo info, java.util.Map<String, String> fdInfo) {
            ObjectNode node = Output.object();
            node.put("id", info.id());
            node.put("type", typeName(info.type()));
            if (!info.name().isEmpty()) {
                node.put("name", info.name());
            }
            node.put("flags", info.flags());
            node.put("bytes_key", info.keySize());
            node.put("bytes_value", info.valueSize());
            node.put("max_entries", info.maxEntries());
            if (fdInfo.containsKey("memlock")) {
                node.put("bytes_memlock", dev.jbpf.internal.FdInfo.number(fdInfo, "memlock", 0));
            }
            if (fdInfo.containsKey("owner_prog_type")) {
                String owner = programTypeName(fdInfo.get("owner_prog_type"));
                if (owner.chars().allMatch(Character::isDigit)) {
                    node.put("owner_prog_type", Long.parseLong(owner));
                } else {
                    node.put("owner_prog_type", owner);
                }
            }
            if (fdInfo.containsKey("owner_jited")) {
                node.put("owner_jited", !"0".equals(fdInfo.get("owner_jited")));
            }
            node.put("frozen", frozen(fdInfo));
            if (info.btfId() != 0) {
                node.put("btf_id", info.btfId());
            }
            return node;
        }
    }

    @Command(name = "dump", description = "Print every entry of a map: " + ObjectSelector.MAP_SYNTAX + ".")
    static final class DumpMap implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.MAP_SYNTAX)
        List<String> selector;

        @Override
        public Integer call() {
            ObjectSelector select = ObjectSelector.map(selector);
            PrintWriter out = spec.commandLine().getOut();
            try (BpfMap map = select.openMap()) {
                dump(map, out, options);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "lookup", description = "Print one entry: SELECTOR key BYTES (e.g. 'key 1 0 0 0' or 'key hex 01000000').")
    static final class Lookup implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "4..*", paramLabel = "WORDS", description = ObjectSelector.MAP_SYNTAX + ", then key BYTES")
        List<String> words;

        @Override
        public Integer call() {
            List<List<String>> parts = ByteWords.split(words, "key");
            ObjectSelector select = ObjectSelector.map(parts.get(0));
            byte[] key = ByteWords.parse(parts.get(1), "key");
            PrintWriter out = spec.commandLine().getOut();
            try (BpfMap map = select.openMap()) {
                MapEntry entry;
                if (map.isPerCpu()) {
                    List<byte[]> values = map.lookupPerCpu(key);
                    entry = values.isEmpty() ? null : new MapEntry(key, null, values);
                } else {
                    entry = map.lookup(key).map(value -> new MapEntry(key, value, null)).orElse(null);
                }
                if (entry == null) {
                    throw new BpfNotFoundException("look up", "key " + Output.hex(key) + " in map " + map.name(),
                            "no such entry");
                }
                printEntries(map, List.of(entry), out, options, false);
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "update", description = "Create or change one entry: SELECTOR key BYTES value BYTES [any|noexist|exist].")
    static final class Update implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "6..*", paramLabel = "WORDS",
                description = ObjectSelector.MAP_SYNTAX + ", key BYTES, value BYTES, then optionally any, noexist or exist")
        List<String> words;

        @Override
        public Integer call() {
            List<String> rest = words;
            UpdateFlag flag = UpdateFlag.ANY;
            String last = words.get(words.size() - 1);
            switch (last) {
                case "any" -> rest = words.subList(0, words.size() - 1);
                case "noexist" -> {
                    flag = UpdateFlag.NO_EXIST;
                    rest = words.subList(0, words.size() - 1);
                }
                case "exist" -> {
                    flag = UpdateFlag.EXIST;
                    rest = words.subList(0, words.size() - 1);
                }
                default -> { }
            }
            List<List<String>> parts = ByteWords.split(rest, "key", "value");
            ObjectSelector select = ObjectSelector.map(parts.get(0));
            byte[] key = ByteWords.parse(parts.get(1), "key");
            byte[] value = ByteWords.parse(parts.get(2), "value");
            try (BpfMap map = select.openMap()) {
                update(map, key, value, flag);
            }
            return options.doneSilently();
        }

        /** Updates one entry; the flags' refusals are explained, a single value fills every CPU of a per-CPU map. */
        private static void update(BpfMap map, byte[] key, byte[] value, UpdateFlag flag) {
            if (map.isPerCpu() && value.length != map.valueSize() && value.length != map.valueBufferSize()) {
                throw new IllegalArgumentException("map " + map.name() + ": value must be " + map.valueSize()
                        + " bytes (set on every CPU) or " + map.valueBufferSize() + " (" + map.possibleCpus()
                        + " CPUs x " + map.valueBufferSize() / map.possibleCpus() + "), got " + value.length);
            }
            try {
                if (map.isPerCpu() && value.length == map.valueSize() && value.length != map.valueBufferSize()) {
                    // one value for a per-CPU map: every CPU gets it, as bpftool does
                    map.updatePerCpu(key, java.util.Collections.nCopies(map.possibleCpus(), value), flag);
                } else {
                    map.update(key, value, flag);
                }
            } catch (BpfNotFoundException e) {
                throw flag != UpdateFlag.EXIST ? e : new BpfNotFoundException("update", "key " + Output.hex(key)
                        + " in map " + map.name(), dev.jbpf.internal.Errno.ENOENT,
                        "no entry has this key, and 'exist' only changes entries that are there");
            } catch (dev.jbpf.BpfException e) {
                if (flag == UpdateFlag.NO_EXIST && e.errno() == dev.jbpf.internal.Errno.EEXIST) {
                    throw new dev.jbpf.BpfException("update", "key " + Output.hex(key) + " in map " + map.name(), e.errno(),
                            "an entry has this key already, and 'noexist' only adds new ones");
                }
                throw e;
            }
        }
    }

    @Command(name = "delete", description = "Delete one entry: SELECTOR key BYTES.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Parameters(arity = "4..*", paramLabel = "WORDS", description = ObjectSelector.MAP_SYNTAX + ", then key BYTES")
        List<String> words;

        @Override
        public Integer call() {
            List<List<String>> parts = ByteWords.split(words, "key");
            ObjectSelector select = ObjectSelector.map(parts.get(0));
            byte[] key = ByteWords.parse(parts.get(1), "key");
            try (BpfMap map = select.openMap()) {
                if (!map.delete(key)) {
                    throw new BpfNotFoundException("delete", "key " + Output.hex(key) + " from map " + map.name(),
                            "no such entry");
                }
            }
            return options.doneSilently();
        }
    }

    @Command(name = "pin", description = "Pin a map in bpffs: SELECTOR PATH (an existing pin is replaced only with --force).")
    static final class Pin implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        PinOptions pinOptions;
        @Parameters(arity = "3", paramLabel = "WORDS", description = ObjectSelector.MAP_SYNTAX + ", then the new PATH")
        List<String> words;

        @Override
        public Integer call() {
            ObjectSelector select = ObjectSelector.map(words.subList(0, 2));
            pinOptions.fileMode(); // a bad --pin-mode is a usage error before anything is opened
            try (BpfMap map = select.openMap()) {
                pinOptions.pinAt(java.nio.file.Path.of(words.get(2)), map::pin);
            }
            return options.doneSilently();
        }
    }

    /**
     * Prints every entry of the map, as text or as bpftool's `map dump -j` JSON. When the map
     * has BTF, keys and values are also shown formatted (fields by name), as bpftool does.
     */
    static void dump(BpfMap map, PrintWriter out, CommonOptions options) {
        printEntries(map, map.entries(), out, options, true);
    }

    /**
     * Prints entries of the map as text or JSON, BTF-formatted where the map has BTF. A dump
     * streams: each entry is written as it is read (text and JSON alike, JSON through a
     * generator with no tree), in constant memory, and nothing is flushed before the end.
     */
    private static void printEntries(BpfMap map, Iterable<MapEntry> entries, PrintWriter out, CommonOptions options,
            boolean asDump) {
        MapInfo info = map.info();
        int valueSize = map.valueSize();
        try (Btf btf = info.btfId() != 0 && info.btfValueTypeId() != 0 ? Btf.fromKernel(info.btfId()) : null) {
            Formatted formatted = btf == null ? null
                    : new Formatted(new BtfFormatter(btf), info.btfKeyTypeId(), info.btfValueTypeId());
            if (options.json() && !asDump) {
                for (MapEntry entry : entries) {
                    Output.printJson(out, options, generator -> writeJson(generator, entry, valueSize, formatted));
                    return; // a lookup: one entry, printed as an object
                }
                return;
            }
            if (options.json()) {
                try (Output.JsonArrayWriter array = new Output.JsonArrayWriter(out, options)) {
                    for (MapEntry entry : entries) {
                        array.add(generator -> writeJson(generator, entry, valueSize, formatted));
                    }
                }
                return;
            }
            // println on the command's writer flushes every line: a million lines would be a million writes
            PrintWriter lines = new PrintWriter(out, false);
            int count = 0;
            for (MapEntry entry : entries) {
                count++;
                printText(entry, valueSize, formatted, lines);
            }
            if (asDump) {
                lines.println("Found " + count + (count == 1 ? " element" : " elements"));
            }
            lines.flush();
        }
        out.flush();
    }

    /** Renders keys and values through the map's BTF; a key type id of 0 means the key has no BTF. */
    private record Formatted(BtfFormatter formatter, int keyTypeId, int valueTypeId) {
        Object key(byte[] key) {
            return keyTypeId == 0 ? null : formatter.format(keyTypeId, key);
        }

        Object value(byte[] value) {
            return formatter.format(valueTypeId, value);
        }
    }

    private static void printText(MapEntry entry, int valueSize, Formatted formatted, PrintWriter out) {
        if (formatted != null) {
            Object key = formatted.key(entry.key());
            String keyText = key == null ? Output.hex(entry.key()) : Output.plainJson(key);
            if (entry.perCpuValues() == null) {
                out.println("key: " + keyText + "  value: " + Output.plainJson(formatted.value(entry.value())));
                return;
            }
            out.println("key: " + keyText);
            List<byte[]> values = entry.perCpuValues();
            for (int cpu = 0; cpu < values.size(); cpu++) {
                out.printf("  value (CPU %02d): %s%n", cpu,
                        Output.plainJson(formatted.value(Arrays.copyOf(values.get(cpu), valueSize))));
            }
            return;
        }
        if (entry.perCpuValues() == null) {
            out.print("key: ");
            out.print(Output.hex(entry.key()));
            out.print("  value: ");
            out.println(Output.hex(entry.value()));
            return;
        }
        out.println("key:");
        out.println(Output.hex(entry.key()));
        List<byte[]> values = entry.perCpuValues();
        for (int cpu = 0; cpu < values.size(); cpu++) {
            out.printf("value (CPU %02d): %s%n", cpu, Output.hex(Arrays.copyOf(values.get(cpu), valueSize)));
        }
    }

    /** One entry in bpftool's JSON shape: raw bytes as hex strings, and "formatted" when BTF is known. */
    private static void writeJson(JsonGenerator json, MapEntry entry, int valueSize, Formatted formatted)
            throws java.io.IOException {
        json.writeStartObject();
        json.writeFieldName("key");
        Output.writeHexArray(json, entry.key());
        writeValues(json, entry, valueSize, Output::writeHexArray);
        if (formatted != null) {
            json.writeObjectFieldStart("formatted");
            json.writeFieldName("key");
            Object key = formatted.key(entry.key());
            if (key == null) {
                Output.writeHexArray(json, entry.key());
            } else {
                Output.writePlain(json, key);
            }
            writeValues(json, entry, valueSize, (generator, value) -> Output.writePlain(generator, formatted.value(value)));
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    /** How one value is written: as raw bytes or formatted through BTF. */
    @FunctionalInterface
    private interface ValueWriter {
        void write(JsonGenerator json, byte[] value) throws java.io.IOException;
    }

    /** "value": V, or for per-CPU maps "values": [{"cpu": N, "value": V}...], as bpftool writes them. */
    private static void writeValues(JsonGenerator json, MapEntry entry, int valueSize, ValueWriter writer)
            throws java.io.IOException {
        List<byte[]> perCpu = entry.perCpuValues();
        if (perCpu == null) {
            json.writeFieldName("value");
            writer.write(json, entry.value());
            return;
        }
        json.writeArrayFieldStart("values");
        for (int cpu = 0; cpu < perCpu.size(); cpu++) {
            json.writeStartObject();
            json.writeNumberField("cpu", cpu);
            json.writeFieldName("value");
            writer.write(json, Arrays.copyOf(perCpu.get(cpu), valueSize));
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private MapCommand() {
    }

}
