package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.LoadedObject;
import dev.jbpf.map.BpfMap;
import dev.jbpf.ringbuf.RingBuffer;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Prints what {@code jbpf attach} streams and dumps: ring buffer records as they arrive, and
 * maps at detach. Records are printed as hex. Owns no native memory; the ring buffer it builds
 * belongs to the caller.
 */
final class RecordPrinter implements AutoCloseable {
    /** Text output shows at most this many bytes of a record, so one record stays one line. */
    private static final int TEXT_BYTES = 64;
    private final PrintWriter out;
    private final CommonOptions options;

    RecordPrinter(LoadedObject loaded, String recordType, PrintWriter out, CommonOptions options) {
        this.out = out;
        this.options = options;
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
        byte[] bytes = RingBuffer.copy(record);
        if (options.json()) {
            ObjectNode node = Output.object();
            node.put("map", mapName);
            node.put("size", bytes.length);
            node.set("data", Output.hexArray(bytes));
            Output.printJson(out, node, options);
        } else {
            String hex = Output.hex(Arrays.copyOf(bytes, Math.min(bytes.length, TEXT_BYTES)));
            out.println(mapName + " " + bytes.length + "B: " + hex + (bytes.length > TEXT_BYTES ? " ..." : ""));
        }
    }

    void dump(BpfMap map) {
        MapCommand.dump(map, out, options);
    }

    @Override
    public void close() {
        out.flush();
    }
}
