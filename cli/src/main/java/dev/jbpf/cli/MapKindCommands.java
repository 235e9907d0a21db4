package dev.jbpf.cli;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.map.QueueMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbpf map push | pop | peek | freeze | create}: queues and stacks, freezing, maps made from the shell. */
final class MapKindCommands {
    private MapKindCommands() {
    }

    /** The loader's own message ("push m: not for a hash map (only queue, stack)") names the command, not a view. */
    private static void requireKind(BpfMap map, String command, MapType... kinds) {
        if (!Arrays.asList(kinds).contains(map.type())) {
            throw new UnsupportedOperationException(command + " " + map.name() + ": not for a "
                    + map.type().displayName() + " map (only " + Arrays.stream(kinds).map(MapType::displayName)
                    .collect(Collectors.joining(", ")) + ")");
        }
    }

    @Command(name = "push", description = "Push a value onto a queue or stack: SELECTOR value BYTES.")
    static final class Push implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Parameters(arity = "4..*", paramLabel = "WORDS", description = ObjectSelector.MAP_SYNTAX + ", then value BYTES")
        List<String> words;

        @Override
        public Integer call() {
            List<List<String>> parts = ByteWords.split(words, "value");
            ObjectSelector select = ObjectSelector.map(parts.get(0));
            byte[] value = ByteWords.parse(parts.get(1), "value");
            try (BpfMap map = select.openMap()) {
                requireKind(map, "push", MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER);
                if (map.type() == MapType.BLOOM_FILTER) {
                    map.asBloomFilter().push(value);
                } else {
                    map.asQueue().push(value);
                }
            }
            return options.doneSilently();
        }
    }

    /** pop and peek: the same but for whether the value stays. */
    abstract static class Take implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.MAP_SYNTAX)
        List<String> selector;

        abstract Optional<byte[]> take(QueueMap queue);

        @Override
        public Integer call() {
            ObjectSelector select = ObjectSelector.map(selector);
            PrintWriter out = spec.commandLine().getOut();
            try (BpfMap map = select.openMap()) {
                requireKind(map, spec.name(), MapType.QUEUE, MapType.STACK);
                byte[] value = take(map.asQueue()).orElseThrow(() -> new BpfNotFoundException(
                        spec.name(), "map " + map.name(), "the map is empty"));
                if (options.json()) {
                    var node = Output.object();
                    node.set("value", Output.hexArray(value));
                    Output.printJson(out, node, options);
                } else {
                    out.println("value: " + Output.hex(value));
                    out.flush();
                }
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "pop", description = "Take the next value off a queue or stack: SELECTOR.")
    static final class Pop extends Take {
        @Override
        Optional<byte[]> take(QueueMap queue) {
            return queue.pop();
        }
    }

    @Command(name = "peek", description = "Show the next value of a queue or stack without taking it: SELECTOR.")
    static final class Peek extends Take {
        @Override
        Optional<byte[]> take(QueueMap queue) {
            return queue.peek();
        }
    }

    @Command(name = "freeze", description = "Make a map read-only for user space, for good: SELECTOR.")
    static final class Freeze implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.MAP_SYNTAX)
        List<String> selector;

        @Override
        public Integer call() {
            try (BpfMap map = ObjectSelector.map(selector).openMap()) {
                map.freeze();
            }
            return options.doneSilently();
        }
    }

    @Command(name = "create", description = "Create a map and pin it at PATH (bpffs), as bpftool map create does.")
    static final class Create implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Parameters(index = "0", paramLabel = "PATH", description = "Where to pin the new map.")
        Path path;
        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "hash, array, percpu_hash, lru_hash, queue, stack, ...")
        String type;
        @Option(names = "--key", paramLabel = "BYTES", description = "Key size (0 for queues and stacks).")
        int keySize;
        @Option(names = "--value", required = true, paramLabel = "BYTES", description = "Value size.")
        int valueSize;
        @Option(names = "--entries", required = true, paramLabel = "N", description = "max_entries.")
        int maxEntries;
        @Option(names = "--name", paramLabel = "NAME", description = "The kernel's name of the map (default: the pin's file name).")
        String name;
        @Option(names = "--flags", paramLabel = "N", description = "BPF_F_* creation flags.")
        int flags;
        @Mixin
        PinOptions pinOptions;

        @Override
        public Integer call() {
            MapType mapType = Arrays.stream(MapType.values()).filter(t -> t.displayName().equals(type)).findFirst()
                    .orElseThrow(() -> new UsageException("unknown map type '" + type + "': expected one of "
                            + Arrays.stream(MapType.values()).map(MapType::displayName).filter(n -> !n.equals("unknown"))
                                    .collect(Collectors.joining(", "))));
            String mapName = name != null ? name : path.getFileName().toString();
            if (mapName.contains("/")) {
                throw new UsageException("--name is the kernel's name of the map, not a path: '" + mapName + "'");
            }
            pinOptions.fileMode(); // a bad --pin-mode is a usage error before the map exists
            // a refused pin (occupied path, not bpffs) frees the new map again when it is closed
            try (BpfMap map = BpfMap.create(mapType, mapName.length() > 15 ? mapName.substring(0, 15) : mapName,
                    keySize, valueSize, maxEntries, flags)) {
                pinOptions.pinAt(path, map::pin);
            }
            return options.doneSilently();
        }
    }
}
