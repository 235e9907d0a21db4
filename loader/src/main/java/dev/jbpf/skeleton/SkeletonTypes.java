package dev.jbpf.skeleton;

import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfLayout;
import dev.jbpf.btf.BtfValueCodec;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.map.TypedMap;
import dev.jbpf.map.TypedQueue;
import dev.jbpf.perf.PerfBufferMap;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.ringbuf.RingBufferMap;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The types of one generated skeleton, checked against and bound to the object it opened:
 * {@link #bind} compares every {@link BtfLayout} the skeleton was generated from with the
 * object's BTF and binds a {@link BtfValueCodec} per generated record and enum; the loaded
 * skeleton then asks for typed maps, queues, ring and perf buffers by map name.
 *
 * <p>Pure Java after {@link #bind}: keeps the codecs, not the BTF; owns no native memory.
 * Immutable and thread-safe.
 */
public final class SkeletonTypes {
    private final String objectName;
    private final String skeletonName;
    private final Map<Class<?>, BtfValueCodec<?>> codecs;
    /** Each map's BTF key and value type ids as the object declares them (libbpf drops some, e.g. a queue's, when creating the map). */
    private final Map<String, MapTypes> mapTypes;

    private record MapTypes(int keyTypeId, int valueTypeId) {
    }

    private SkeletonTypes(String objectName, String skeletonName, Map<Class<?>, BtfValueCodec<?>> codecs,
            Map<String, MapTypes> mapTypes) {
        this.objectName = objectName;
        this.skeletonName = skeletonName;
        this.codecs = codecs;
        this.mapTypes = mapTypes;
    }

    /**
     * Checks that the opened object's BTF has every type of {@code layouts} with the same size
     * and member offsets, and binds the generated Java type of each. On any failure the object
     * is closed and an IllegalStateException names the type and member that differ, e.g.
     * {@code "exec_snoop does not match ExecSnoop: struct exec_event.comm moved from bit 64 to
     * bit 96; regenerate the skeleton from this object"}.
     */
    public static SkeletonTypes bind(OpenedObject object, Class<?> skeleton, List<BtfLayout> layouts) {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(skeleton, "skeleton");
        Objects.requireNonNull(layouts, "layouts");
        try {
            String objectName = object.name();
            Map<Class<?>, BtfValueCodec<?>> codecs = new LinkedHashMap<>();
            if (!layouts.isEmpty()) {
                Btf btf = object.btf();
                for (BtfLayout layout : layouts) {
                    String difference = layout.difference(btf).orElse(null);
                    if (difference != null) {
                        throw mismatch(objectName, skeleton.getSimpleName(), difference);
                    }
                    try {
                        codecs.put(layout.javaType(), BtfValueCodec.of(layout.javaType(), btf, layout.find(btf).orElseThrow()));
                    } catch (IllegalArgumentException e) {
                        throw mismatch(objectName, skeleton.getSimpleName(), layout.cName() + ": " + e.getMessage(), e);
                    }
                }
            }
            Map<String, MapTypes> mapTypes = new LinkedHashMap<>();
            for (OpenedMap map : object.maps()) {
                mapTypes.put(map.name(), new MapTypes(map.btfKeyTypeId(), map.btfValueTypeId()));
            }
            return new SkeletonTypes(objectName, skeleton.getSimpleName(), Map.copyOf(codecs), Map.copyOf(mapTypes));
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    private static IllegalStateException mismatch(String objectName, String skeletonName, String difference) {
        return mismatch(objectName, skeletonName, difference, null);
    }

    /** @param cause the exception that found the difference, or null */
    private static IllegalStateException mismatch(String objectName, String skeletonName, String difference,
            Throwable cause) {
        return new IllegalStateException(objectName + " does not match " + skeletonName + ": " + difference
                + "; regenerate the skeleton from this object", cause);
    }

    /**
     * The codec of a generated record or enum, or of {@code byte[]} values of the given size.
     *
     * @throws IllegalArgumentException when type is not one of this skeleton's types
     */
    public <T> BtfValueCodec<T> codec(Class<T> type) {
        @SuppressWarnings("unchecked")
        BtfValueCodec<T> codec = (BtfValueCodec<T>) codecs.get(type);
        if (codec == null) {
            throw new IllegalArgumentException(type.getName() + " is not a type of " + skeletonName + " (its types: "
                    + codecs.keySet().stream().map(Class::getSimpleName).sorted().collect(Collectors.joining(", "))
                    + ")");
        }
        return codec;
    }

    /**
     * A typed view of the map called name: keys and values bound to the map's BTF key and
     * value types; for a map without them, by size ({@code Integer}, {@code Long},
     * {@code Short}, {@code Byte}, or {@code byte[]}). A mismatch closes the object (a
     * skeleton that does not fit its object is unusable) and throws IllegalStateException.
     */
    public <K, V> TypedMap<K, V> map(LoadedObject object, String name, Class<K> key, Class<V> value) {
        return closingOnMismatch(object, name, () -> {
            BpfMap map = object.map(name);
            MapTypes ids = mapTypes.getOrDefault(name, new MapTypes(0, 0));
            Btf btf = ids.keyTypeId() > 0 || ids.valueTypeId() > 0 ? object.btf() : null;
            return map.typed(codec(btf, ids.keyTypeId(), key, map.keySize()),
                    codec(btf, ids.valueTypeId(), value, map.valueSize()));
        });
    }

    /** A typed view of the queue or stack map called name (values as for {@link #map}). */
    public <V> TypedQueue<V> queue(LoadedObject object, String name, Class<V> value) {
        return closingOnMismatch(object, name, () -> {
            BpfMap map = object.map(name);
            MapTypes ids = mapTypes.getOrDefault(name, new MapTypes(0, 0));
            Btf btf = ids.valueTypeId() > 0 ? object.btf() : null;
            return map.asQueue().typed(codec(btf, ids.valueTypeId(), value, map.valueSize()));
        });
    }

    /** The ring buffer map called name, its records decoded as recordType: {@code byte[]} or one of this skeleton's types. */
    public <R> RingBufferMap<R> ringBuffer(LoadedObject object, String name, Class<R> recordType) {
        return new RingBufferMap<>(object.map(name), decoder(recordType));
    }

    /** The perf event array called name, its samples decoded as recordType: {@code byte[]} or one of this skeleton's types. */
    public <R> PerfBufferMap<R> perfBuffer(LoadedObject object, String name, Class<R> recordType) {
        return new PerfBufferMap<>(object.map(name), decoder(recordType));
    }

    private <R> Function<MemorySegment, R> decoder(Class<R> recordType) {
        Objects.requireNonNull(recordType, "recordType");
        if (recordType == byte[].class) {
            return segment -> recordType.cast(RingBuffer.copy(segment));
        }
        BtfValueCodec<R> codec = codec(recordType);
        return codec::decode;
    }

    private static <T> Codec<T> codec(Btf btf, int typeId, Class<T> type, int size) {
        return btf != null && typeId > 0 ? BtfValueCodec.of(type, btf, typeId) : bySize(type, size);
    }

    @SuppressWarnings("unchecked")
    private static <T> Codec<T> bySize(Class<T> type, int size) {
        Codec<?> codec;
        if (type == byte[].class) {
            codec = Codec.bytes(size);
        } else if (type == Integer.class && size == 4) {
            codec = Codec.INT;
        } else if (type == Long.class && size == 8) {
            codec = Codec.LONG;
        } else if (type == Short.class && size == 2) {
            codec = Codec.SHORT;
        } else if (type == Byte.class && size == 1) {
            codec = Codec.BYTE;
        } else {
            throw new IllegalArgumentException(type.getSimpleName() + " cannot hold the map's " + size
                    + "-byte values (the map has no BTF type for them)");
        }
        return (Codec<T>) codec;
    }

    private <T> T closingOnMismatch(LoadedObject object, String mapName, java.util.function.Supplier<T> binding) {
        try {
            return binding.get();
        } catch (IllegalArgumentException e) {
            object.close();
            throw mismatch(objectName, skeletonName, "map " + mapName + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SkeletonTypes[" + skeletonName + " of " + objectName + ", " + codecs.size() + " types]";
    }
}
