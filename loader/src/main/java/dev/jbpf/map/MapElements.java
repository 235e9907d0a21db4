package dev.jbpf.map;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The bodies of {@link BpfMap}'s element operations ({@code bpf_map_lookup_elem}, {@code
 * bpf_map_update_elem}, {@code bpf_map_delete_elem}, with and without key), of its per-CPU
 * splitting and joining, stack traces and inner maps, and the argument checks its views share.
 * Every method checks that the map is open first (IllegalStateException). Owns nothing: every
 * native buffer lives in a confined arena of one call, results are copied into Java arrays.
 */
final class MapElements {
    private MapElements() {
    }

    // ---- checks -----------------------------------------------------------------------------

    static void requireKeys(BpfMap map, String operation) {
        if (map.keySize == 0) {
            throw new UnsupportedOperationException(operation + " " + map.name + ": a " + map.type.displayName()
                    + " map has no keys");
        }
    }

    static void requirePerCpu(BpfMap map, String operation) {
        if (!map.type.isPerCpu()) {
            throw new UnsupportedOperationException(operation + " " + map.name + ": a " + map.type.displayName()
                    + " map is not per-CPU");
        }
    }

    /** UnsupportedOperationException unless the map is of one of types. */
    static void requireKind(BpfMap map, String operation, MapType... types) {
        if (!isKind(map, types)) {
            throw new UnsupportedOperationException(kindMismatch(map, operation, types));
        }
    }

    /** IllegalArgumentException unless the map is open and of one of types: a view asked of the wrong map. */
    static void requireView(BpfMap map, String view, MapType... types) {
        map.checkOpen();
        if (!isKind(map, types)) {
            throw new IllegalArgumentException(kindMismatch(map, view, types));
        }
    }

    private static boolean isKind(BpfMap map, MapType... types) {
        return Arrays.asList(types).contains(map.type);
    }

    private static String kindMismatch(BpfMap map, String operation, MapType... types) {
        return operation + " " + map.name + ": not for a " + map.type.displayName() + " map (only "
                + String.join(", ", Arrays.stream(types).map(MapType::displayName).toList()) + ")";
    }

    static void checkKey(BpfMap map, byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != map.keySize) {
            throw new IllegalArgumentException("map " + map.name + ": key must be " + map.keySize + " bytes, got "
                    + key.length);
        }
    }

    /** A value buffer of {@link BpfMap#valueBufferSize()} bytes (every CPU's value for per-CPU maps). */
    static void checkValue(BpfMap map, byte[] value) {
        Objects.requireNonNull(value, "value");
        int expected = map.valueBufferSize();
        if (value.length != expected) {
            String how = map.type.isPerCpu() ? " (" + map.possibleCpus() + " CPUs x "
                    + MapNative.roundUp8(map.valueSize) + " bytes; one value of " + map.valueSize
                    + " bytes for every CPU: updatePerCpu)" : "";
            throw new IllegalArgumentException("map " + map.name + ": value must be " + expected + " bytes" + how
                    + ", got " + value.length);
        }
    }

    /** One value of {@link BpfMap#valueSize()} bytes (queues, stacks, bloom filters). */
    static void checkPlainValue(BpfMap map, byte[] value) {
        Objects.requireNonNull(value, "value");
        if (value.length != map.valueSize) {
            throw new IllegalArgumentException("map " + map.name + ": value must be " + map.valueSize + " bytes, got "
                    + value.length);
        }
    }

    static void checkValueCodec(BpfMap map, Codec<?> value) {
        Objects.requireNonNull(value, "value");
        if (value.size() != map.valueSize) {
            throw new IllegalArgumentException("map " + map.name + ": value codec has " + value.size()
                    + " bytes, the map's values have " + map.valueSize);
        }
    }

    // ---- per-CPU values ----------------------------------------------------------------------

    static List<byte[]> splitPerCpu(BpfMap map, byte[] raw) {
        int valueSize = map.valueSize;
        int stride = MapNative.roundUp8(valueSize);
        int cpus = raw.length / stride;
        List<byte[]> values = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            values.add(Arrays.copyOfRange(raw, cpu * stride, cpu * stride + valueSize));
        }
        return List.copyOf(values);
    }

    static byte[] joinPerCpu(BpfMap map, List<byte[]> values) {
        int cpus = map.possibleCpus();
        if (values.size() != cpus) {
            throw new IllegalArgumentException("map " + map.name + ": expected one value per possible CPU (" + cpus
                    + "), got " + values.size());
        }
        int valueSize = map.valueSize;
        int stride = MapNative.roundUp8(valueSize);
        byte[] raw = new byte[stride * cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] v = values.get(cpu);
            if (v.length != valueSize) {
                throw new IllegalArgumentException("map " + map.name + ": value for CPU " + cpu + " must be "
                        + valueSize + " bytes, got " + v.length);
            }
            System.arraycopy(v, 0, raw, cpu * stride, valueSize);
        }
        return raw;
    }

    // ---- keyed elements ------------------------------------------------------------------------

    static List<byte[]> lookupPerCpu(BpfMap map, byte[] key) {
        map.checkOpen();
        requirePerCpu(map, "lookupPerCpu");
        return lookup(map, key).map(raw -> splitPerCpu(map, raw)).orElse(List.of());
    }

    static void updatePerCpu(BpfMap map, byte[] key, List<byte[]> values, UpdateFlag flag) {
        map.checkOpen();
        requirePerCpu(map, "updatePerCpu");
        update(map, key, joinPerCpu(map, values), flag);
    }

    static Optional<byte[]> lookup(BpfMap map, byte[] key) {
        map.checkOpen();
        requireKeys(map, "lookup");
        checkKey(map, key);
        int size = map.valueBufferSize();
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocate(Math.max(size, 1), 8);
            int ret = LibBpf.bpf_map_lookup_elem(map.fd(), k, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw MapFdInfo.failure(map, "lookup", errno, null);
            }
            return Optional.of(v.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    static void update(BpfMap map, byte[] key, byte[] value, UpdateFlag flag) {
        map.checkOpen();
        requireKeys(map, "update");
        checkKey(map, key);
        checkValue(map, value);
        Objects.requireNonNull(flag, "flag");
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_update_elem(map.fd(), k, v, flag.value());
            if (ret < 0) {
                throw MapFdInfo.failure(map, "update", MapNative.errno(ret), null);
            }
        }
    }

    static boolean delete(BpfMap map, byte[] key) {
        map.checkOpen();
        requireKeys(map, "delete");
        checkKey(map, key);
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            int ret = LibBpf.bpf_map_delete_elem(map.fd(), arena.allocateFrom(ValueLayout.JAVA_BYTE, key));
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw MapFdInfo.failure(map, "delete", errno, null);
            }
            return true;
        }
    }

    // ---- elements without key (queues, stacks, bloom filters) ------------------------------------

    /** bpf_map_update_elem without key: push onto a queue or stack, add to a bloom filter. Value checked. */
    static void push(BpfMap map, byte[] value, UpdateFlag flag) {
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(value.length, 1), 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_update_elem(map.fd(), MemorySegment.NULL, v, flag.value());
            if (ret < 0) {
                throw MapFdInfo.failure(map, "push", MapNative.errno(ret), null);
            }
        }
    }

    /** bpf_map_lookup(_and_delete)_elem without key: the next value of a queue or stack, or empty. */
    static Optional<byte[]> take(BpfMap map, String operation, boolean delete) {
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(map.valueSize, 1), 8);
            int ret = delete ? LibBpf.bpf_map_lookup_and_delete_elem(map.fd(), MemorySegment.NULL, v)
                    : LibBpf.bpf_map_lookup_elem(map.fd(), MemorySegment.NULL, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw MapFdInfo.failure(map, operation, errno, null);
            }
            return Optional.of(v.asSlice(0, map.valueSize).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** bpf_map_lookup_elem of a value without key: whether a bloom filter may hold it. Value checked. */
    static boolean contains(BpfMap map, byte[] value) {
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(value.length, 1), 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_lookup_elem(map.fd(), MemorySegment.NULL, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw MapFdInfo.failure(map, "mightContain", errno, null);
            }
            return true;
        }
    }

    // ---- stack traces, map-of-maps ---------------------------------------------------------------

    static List<Long> stackTrace(BpfMap map, int stackId) {
        map.checkOpen();
        requireKind(map, "stackTrace", MapType.STACK_TRACE);
        if ((map.flags & BpfConstants.BPF_F_STACK_BUILD_ID) != 0) {
            throw new UnsupportedOperationException("stackTrace " + map.name
                    + ": the map holds build-id stacks (BPF_F_STACK_BUILD_ID), not addresses");
        }
        if (stackId < 0) {
            throw new IllegalArgumentException("a stack id is not negative (a negative bpf_get_stackid result is "
                    + "the error), got " + stackId);
        }
        Optional<byte[]> raw = map.lookup(Codec.INT.encode(stackId));
        if (raw.isEmpty()) {
            return List.of();
        }
        LongBuffer frames = ByteBuffer.wrap(raw.get()).order(ByteOrder.nativeOrder()).asLongBuffer();
        List<Long> addresses = new ArrayList<>();
        while (frames.hasRemaining()) {
            long address = frames.get();
            if (address == 0) {
                break;
            }
            addresses.add(address);
        }
        return List.copyOf(addresses);
    }

    static Optional<BpfMap> innerMap(BpfMap map, byte[] key) {
        map.checkOpen();
        requireKind(map, "innerMap", MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS);
        Optional<byte[]> id = map.lookup(key);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(BpfMap.openById(Codec.INT.decode(id.get())));
        } catch (BpfNotFoundException e) {
            return Optional.empty(); // replaced and freed since the lookup
        }
    }
}
