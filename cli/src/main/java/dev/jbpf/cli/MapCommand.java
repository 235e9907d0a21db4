package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapEntry;
import dev.jbpf.map.MapInfo;
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
        subcommands = {MapCommand.ListMaps.class, MapCommand.DumpMap.class})
final class MapCommand {

    /** Type names as bpftool prints them ("hash", "percpu_array", "lru_hash"). */
    static String typeName(Enum<?> type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Command(name = "list", aliases = "show", description = "List every BPF map in the kernel.")
    static final class ListMaps implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<MapInfo> maps = MapInfo.listAll();
            if (options.json()) {
                ArrayNode array = Output.array();
                maps.forEach(info -> array.add(json(info)));
                Output.printJson(out, array, options);
                return Main.EXIT_OK;
            }
            for (MapInfo info : maps) {
                out.printf("%d: %s  name %s  flags 0x%x%n", info.id(), typeName(info.type()), info.name(), info.flags());
                out.printf("\tkey %dB  value %dB  max_entries %d%n", info.keySize(), info.valueSize(), info.maxEntries());
                if (info.btfId() != 0) {
                    out.printf("\tbtf_id %d%n", info.btfId());
                }
            }
            out.flush();
            return Main.EXIT_OK;
        }

        static ObjectNode json(MapInfo info) {
            ObjectNode node = Output.object();
            node.put("id", info.id());
            node.put("type", typeName(info.type()));
            node.put("name", info.name());
            node.put("flags", info.flags());
            node.put("bytes_key", info.keySize());
            node.put("bytes_value", info.valueSize());
            node.put("max_entries", info.maxEntries());
            if (info.btfId() != 0) {
                node.put("btf_id", info.btfId());
            }
            return node;
        }
    }

    @Command(name = "dump", description = "Print every entry of a map: " + MapSelector.SYNTAX + ".")
    static final class DumpMap implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = "id N | pinned PATH | name NAME")
        List<String> selector;

        @Override
        public Integer call() {
            MapSelector select = MapSelector.parse(selector);
            PrintWriter out = spec.commandLine().getOut();
            try (BpfMap map = select.open()) {
                dump(map, out, options);
            }
            return Main.EXIT_OK;
        }
    }

    /** Prints every entry of the map, as text or as bpftool's `map dump -j` JSON. */
    static void dump(BpfMap map, PrintWriter out, CommonOptions options) {
        int valueSize = map.valueSize();
        ArrayNode array = Output.array();
        int count = 0;
        for (MapEntry entry : map.entries()) {
            count++;
            if (options.json()) {
                array.add(json(entry, valueSize));
            } else if (entry.perCpuValues() != null) {
                out.println("key:");
                out.println(Output.hex(entry.key()));
                List<byte[]> values = entry.perCpuValues();
                for (int cpu = 0; cpu < values.size(); cpu++) {
                    out.printf("value (CPU %02d): %s%n", cpu, Output.hex(Arrays.copyOf(values.get(cpu), valueSize)));
                }
            } else {
                out.println("key: " + Output.hex(entry.key()) + "  value: " + Output.hex(entry.value()));
            }
        }
        if (options.json()) {
            Output.printJson(out, array, options);
        } else {
            out.println("Found " + count + (count == 1 ? " element" : " elements"));
        }
        out.flush();
    }

    static ObjectNode json(MapEntry entry, int valueSize) {
        ObjectNode node = Output.object();
        node.set("key", Output.hexArray(entry.key()));
        if (entry.perCpuValues() != null) {
            ArrayNode values = node.putArray("values");
            List<byte[]> perCpu = entry.perCpuValues();
            for (int cpu = 0; cpu < perCpu.size(); cpu++) {
                ObjectNode value = values.addObject();
                value.put("cpu", cpu);
                value.set("value", Output.hexArray(Arrays.copyOf(perCpu.get(cpu), valueSize)));
            }
        } else {
            node.set("value", Output.hexArray(entry.value()));
        }
        return node;
    }

    private MapCommand() {
    }

}
