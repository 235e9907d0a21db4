package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfFormatter;
import dev.jbpf.btf.BtfType;
import dev.jbpf.internal.CloseNames;
import dev.jbpf.map.BpfMap;
import dev.jbpf.perf.PerfBuffer;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints what {@code jbpf attach} streams and dumps: ring buffer records and perf buffer samples as they arrive
 * (as hex, or field by field when a BTF struct type is given), and maps at detach. In JSON each
 * record, sample and map is one object on its own line (JSON Lines), so a reader can follow the
 * stream. Owns nothing: the BTF is the loaded object's, the buffers it builds belong to the caller.
 */
final class RecordPrinter implements AutoCloseable {
    /** Text output shows at most this many bytes of an untyped record, so one record stays one line. */
    private static final int TEXT_BYTES = 64;
    /** How many struct names a --record-type typo is answered with. */
    private static final int OFFERED_TYPES = 3;
    private final PrintWriter out;
    private final CommonOptions options;
    private final BtfType.Struct recordType;
    private final BtfFormatter formatter;

    /**
     * @param btf the object's BTF, borrowed (it must outlive this printer); only read when
     *     recordTypeName is given
     * @param recordTypeName the struct to print records as, or null for hex; see {@link #recordType}
     */
    RecordPrinter(Btf btf, String recordTypeName, PrintWriter out, CommonOptions options) {
        this.out = out;
        this.options = options;
        this.recordType = recordTypeName == null ? null : recordType(btf, recordTypeName);
        this.formatter = recordType == null ? null : new BtfFormatter(btf);
    }

    /**
     * The struct called {@code name} in the object's BTF: checked when the object is opened,
     * before anything is loaded. A usage error offering the closest struct names when there is none.
     */
    static BtfType.Struct recordType(Btf btf, String name) {
        return btf.findStruct(name).orElseThrow(() -> {
            List<String> structs = btf.types().filter(type -> type instanceof BtfType.Struct)
                    .map(BtfType::name).filter(typeName -> !typeName.isEmpty()).sorted().toList();
            return new UsageException("--record-type " + name + ": the object's BTF has no struct of that name"
                    + CloseNames.offer(name, structs, OFFERED_TYPES, "it has"));
        });
    }

    /** A ring buffer over the given maps that prints each record. */
    RingBuffer ringBuffer(List<BpfMap> ringMaps) {
        RingBuffer.Builder builder = RingBuffer.builder();
        for (BpfMap map : ringMaps) {
            builder.add(map, record -> print(map.name(), record));
        }
        return builder.build();
    }

    private void print(String mapName, MemorySegment record) {
        Object formatted = recordType != null && record.byteSize() >= recordType.size()
                ? formatter.format(recordType.id(), record) : null;
        if (options.json()) {
            ObjectNode node = Output.object();
            node.put("map", mapName);
            node.put("size", record.byteSize());
            node.set("data", Output.hexArray(RingBuffer.copy(record)));
            if (formatted != null) {
                node.set("formatted", Output.tree(formatted));
            }
            Output.printJson(out, node, options);
        } else if (formatted instanceof Map<?, ?> fields) {
            out.println(mapName + ": " + fields.entrySet().stream()
                    .map(field -> field.getKey() + "=" + field.getValue()).collect(Collectors.joining(" ")));
        } else {
            byte[] bytes = RingBuffer.copy(record);
            String hex = Output.hex(Arrays.copyOf(bytes, Math.min(bytes.length, TEXT_BYTES)));
            out.println(mapName + " " + bytes.length + "B: " + hex + (bytes.length > TEXT_BYTES ? " ..." : ""));
        }
    }

    /** A perf buffer over a PERF_EVENT_ARRAY map that prints each sample, and each loss. */
    PerfBuffer perfBuffer(BpfMap map) {
        return PerfBuffer.builder(map)
                .onSample((cpu, sample) -> print(map.name(), sample))
                .onLost((cpu, count) -> {
                    if (options.json()) {
                        ObjectNode node = Output.object();
                        node.put("map", map.name());
                        node.put("cpu", cpu);
                        node.put("lost", count);
                        Output.printJson(out, node, options);
                    } else {
                        out.println(map.name() + ": lost " + count + " samples on CPU " + cpu);
                    }
                })
                .build();
    }

    /**
     * Prints one map's entries: in text under a "Map NAME (TYPE):" title, in JSON as one line
     * {@code {"map":NAME,"type":TYPE,"entries":[...]}} whose array is map dump's own (bpftool's
     * shape), streamed as it is read.
     */
    void dump(BpfMap map) {
        String type = MapCommand.typeName(map.type());
        if (!options.json()) {
            out.println("Map " + map.name() + " (" + type + "):");
            MapCommand.dump(map, out, options);
            return;
        }
        out.print("{\"map\":" + TextNode.valueOf(map.name()) + ",\"type\":" + TextNode.valueOf(type) + ",\"entries\":");
        // map dump ends its array with a line end: held back, so the object closes on the same line
        PrintWriter entries = new PrintWriter(new HeldLineEnd(out));
        MapCommand.dump(map, entries, options);
        entries.flush();
        out.println("}");
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }

    /**
     * Passes text through to another writer but holds back line ends until more text follows,
     * and drops those still held at the end: what is written through it can be continued on its
     * last line. Owns nothing (closing it flushes but does not close the target).
     */
    private static final class HeldLineEnd extends Writer {
        private final Writer target;
        private int heldLineEnds;

        HeldLineEnd(Writer target) {
            this.target = target;
        }

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            int end = offset + length;
            int trailing = end;
            while (trailing > offset && chars[trailing - 1] == '\n') {
                trailing--;
            }
            if (trailing > offset) {
                for (; heldLineEnds > 0; heldLineEnds--) {
                    target.write('\n');
                }
                target.write(chars, offset, trailing - offset);
            }
            heldLineEnds += end - trailing;
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() throws IOException {
            target.flush();
        }
    }
}
