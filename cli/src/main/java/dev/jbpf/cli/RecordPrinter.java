package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfFormatter;
import dev.jbpf.btf.BtfType;
import dev.jbpf.map.BpfMap;
import dev.jbpf.perf.PerfBuffer;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints what {@code jbpf attach} streams and dumps: ring buffer records and perf buffer samples as they arrive
 * (as hex, or field by field when a BTF struct type is given), and maps at detach.
 * Owns the BTF it reads from the object file; the ring buffer it builds belongs to the caller.
 */
final class RecordPrinter implements AutoCloseable {
    /** Text output shows at most this many bytes of an untyped record, so one record stays one line. */
    private static final int TEXT_BYTES = 64;
    private final PrintWriter out;
    private final CommonOptions options;
    private final Btf btf;
    private final BtfType.Struct recordType;
    private final BtfFormatter formatter;

    RecordPrinter(Path objectPath, String recordTypeName, PrintWriter out, CommonOptions options) {
        this.out = out;
        this.options = options;
        if (recordTypeName == null) {
            btf = null;
            recordType = null;
            formatter = null;
            return;
        }
        btf = Btf.fromElf(objectPath);
        try {
            recordType = btf.findStruct(recordTypeName).orElseThrow(() -> new BpfNotFoundException(
                    "find record type", recordTypeName, "the object's BTF has no struct of that name"));
        } catch (RuntimeException e) {
            btf.close();
            throw e;
        }
        formatter = new BtfFormatter(btf);
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

    void dump(BpfMap map) {
        MapCommand.dump(map, out, options);
    }

    @Override
    public void close() {
        out.flush();
        if (btf != null) {
            btf.close();
        }
    }
}
