package dev.jbpf.exporter;

import dev.jbpf.map.BpfMap;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a metric's map as ebpf_exporter does: every entry's key and u64 value; a per-CPU map
 * gives one entry per possible CPU, the CPU's number appended to the key as a u16 when the
 * metric's last label is {@code cpu} (else the CPUs' entries share the key and are summed
 * later with the other equal label sets). Walks the map in batches; owns nothing.
 */
final class MapReader {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** A map entry: the key (with the CPU appended where asked) and its value. */
    record RawEntry(byte[] key, long value) {
    }

    private MapReader() {
    }

    static List<RawEntry> read(BpfMap map, boolean appendCpu) {
        int keySize = map.keySize();
        int stride = map.valueBufferSize();
        boolean perCpu = map.isPerCpu();
        int cpus = perCpu ? map.possibleCpus() : 1;
        int valueSlot = perCpu ? (map.valueSize() + 7) / 8 * 8 : map.valueSize();
        List<RawEntry> entries = new ArrayList<>();
        map.batch().forEach((MemorySegment keys, MemorySegment values, int count) -> {
            for (int i = 0; i < count; i++) {
                byte[] key = keys.asSlice((long) i * keySize, keySize).toArray(ValueLayout.JAVA_BYTE);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    long value = values.get(U64, (long) i * stride + (long) cpu * valueSlot);
                    entries.add(new RawEntry(perCpu && appendCpu ? withCpu(key, cpu) : key, value));
                }
            }
        });
        return entries;
    }

    private static byte[] withCpu(byte[] key, int cpu) {
        return ByteBuffer.allocate(key.length + 2).order(ByteOrder.nativeOrder()).put(key).putShort((short) cpu).array();
    }
}
