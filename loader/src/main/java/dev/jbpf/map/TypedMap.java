package dev.jbpf.map;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A view of a {@link BpfMap} that encodes keys and values with {@link Codec}s. Holds no native
 * memory and no fd of its own: it lives as long as its map (after the map or its object is
 * closed every method throws {@link IllegalStateException}). Made by {@link BpfMap#typed}.
 *
 * <p>On per-CPU maps {@link #get} and {@link #entries} are not defined (which CPU?):
 * they throw {@link UnsupportedOperationException}; use {@link #getPerCpu} and {@link
 * #entriesPerCpu}. {@link #put} on a per-CPU map stores the value on every CPU.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;

    /** For {@link BpfMap#typed}: checks the codecs fit the map. */
    TypedMap(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
        map.checkOpen();
        MapElements.requireKeys(map, "typed view of");
        Objects.requireNonNull(keyCodec, "key");
        Objects.requireNonNull(valueCodec, "value");
        if (keyCodec.size() != map.keySize) {
            throw new IllegalArgumentException("map " + map.name + ": key codec has " + keyCodec.size()
                    + " bytes, the map's keys have " + map.keySize);
        }
        MapElements.checkValueCodec(map, valueCodec);
        this.map = map;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
    }

    /** The underlying raw map. */
    public BpfMap raw() {
        return map;
    }

    private void requireNotPerCpu(String operation) {
        if (map.isPerCpu()) {
            throw new UnsupportedOperationException(operation + " " + map.name()
                    + ": a per-CPU map has one value per CPU; use " + (operation.equals("drain")
                    ? "raw().batch().lookupAndDelete" : operation + "PerCpu"));
        }
    }

    /** The value under key, or empty. */
    public Optional<V> get(K key) {
        requireNotPerCpu("get");
        return map.lookup(keyCodec.encode(key)).map(valueCodec::decode);
    }

    /** Every CPU's value under key of a per-CPU map (index = CPU), or an empty list. */
    public List<V> getPerCpu(K key) {
        return map.lookupPerCpu(keyCodec.encode(key)).stream().map(valueCodec::decode).toList();
    }

    /**
     * The sum of every CPU's value under key of a per-CPU map whose values decode to numbers
     * ({@link Codec#LONG}, {@link Codec#INT}, {@link Codec#SHORT}, {@link Codec#BYTE}, or any
     * codec of a {@link Number}), added as {@code long}s; 0 when the key is not there. What
     * per-CPU counters are read for.
     *
     * @throws UnsupportedOperationException when the map is not per-CPU or its values are not numbers
     */
    public long sumPerCpu(K key) {
        long sum = 0;
        for (V value : getPerCpu(key)) {
            if (!(value instanceof Number number)) {
                throw new UnsupportedOperationException("sumPerCpu " + map.name() + ": values decode to "
                        + value.getClass().getName() + ", not to numbers");
            }
            sum += number.longValue();
        }
        return sum;
    }

    /** Stores value under key (create or overwrite); on per-CPU maps on every CPU. */
    public void put(K key, V value) {
        put(key, value, UpdateFlag.ANY);
    }

    /** Stores value under key as flag says; on per-CPU maps on every CPU. */
    public void put(K key, V value, UpdateFlag flag) {
        byte[] encoded = valueCodec.encode(value);
        if (map.isPerCpu()) {
            List<byte[]> values = new ArrayList<>();
            for (int cpu = 0; cpu < map.possibleCpus(); cpu++) {
                values.add(encoded);
            }
            map.updatePerCpu(keyCodec.encode(key), values, flag);
        } else {
            map.update(keyCodec.encode(key), encoded, flag);
        }
    }

    /**
     * Stores every entry ({@link BatchOperations#update}: a few syscalls for many entries); on
     * per-CPU maps each value on every CPU.
     */
    public void putAll(Map<? extends K, ? extends V> entries) {
        putAll(entries, UpdateFlag.ANY);
    }

    /** {@link #putAll(Map)} as flag says. */
    public void putAll(Map<? extends K, ? extends V> entries, UpdateFlag flag) {
        List<byte[]> keys = new ArrayList<>(entries.size());
        List<byte[]> values = new ArrayList<>(entries.size());
        for (Map.Entry<? extends K, ? extends V> e : entries.entrySet()) {
            keys.add(keyCodec.encode(e.getKey()));
            values.add(perCpuRaw(valueCodec.encode(e.getValue())));
        }
        map.batch().update(keys, values, flag);
    }

    /** For per-CPU maps the value repeated for every CPU, each padded to 8 bytes; else value. */
    private byte[] perCpuRaw(byte[] value) {
        if (!map.isPerCpu()) {
            return value;
        }
        int stride = MapNative.roundUp8(value.length);
        int cpus = map.possibleCpus();
        byte[] raw = new byte[stride * cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            System.arraycopy(value, 0, raw, cpu * stride, value.length);
        }
        return raw;
    }

    /** Deletes every key there is of keys ({@link BatchOperations#delete}); returns how many were deleted. */
    public int removeAll(Collection<? extends K> keys) {
        List<byte[]> encoded = new ArrayList<>(keys.size());
        for (K key : keys) {
            encoded.add(keyCodec.encode(key));
        }
        return map.batch().delete(encoded);
    }

    /**
     * Removes and returns every entry ({@link BatchOperations#lookupAndDelete}), e.g. to harvest
     * counters a program keeps adding. Entries the program adds meanwhile may or may not be
     * included; none is lost. Not for per-CPU maps ({@link UnsupportedOperationException}) nor
     * arrays (which cannot delete: {@link dev.jbpf.BpfException}).
     */
    public List<Map.Entry<K, V>> drain() {
        requireNotPerCpu("drain");
        List<Map.Entry<K, V>> entries = new ArrayList<>();
        BatchOperations batch = map.batch();
        BatchCursor cursor = new BatchCursor();
        while (!cursor.isDone()) {
            for (MapEntry entry : batch.lookupAndDelete(cursor, MapBatches.CHUNK)) {
                entries.add(new AbstractMap.SimpleImmutableEntry<>(keyCodec.decode(entry.key()),
                        valueCodec.decode(entry.value())));
            }
        }
        return entries;
    }

    /** Deletes key; false when it was not there. */
    public boolean remove(K key) {
        return map.delete(keyCodec.encode(key));
    }

    /** Every key (a snapshot). */
    public List<K> keys() {
        return map.keys().stream().map(keyCodec::decode).toList();
    }

    /** Every entry, decoded (a snapshot, in the kernel's order). */
    public List<Map.Entry<K, V>> entries() {
        requireNotPerCpu("entries");
        List<Map.Entry<K, V>> entries = new ArrayList<>();
        for (MapEntry entry : map.entries()) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(keyCodec.decode(entry.key()),
                    valueCodec.decode(entry.value())));
        }
        return entries;
    }

    /** Every entry of a per-CPU map, each with one value per CPU (a snapshot). */
    public List<Map.Entry<K, List<V>>> entriesPerCpu() {
        List<Map.Entry<K, List<V>>> entries = new ArrayList<>();
        for (MapEntry entry : map.entries()) {
            if (entry.perCpuValues() == null) {
                throw new UnsupportedOperationException("entriesPerCpu " + map.name() + ": not a per-CPU map");
            }
            entries.add(new AbstractMap.SimpleImmutableEntry<>(keyCodec.decode(entry.key()),
                    entry.perCpuValues().stream().map(valueCodec::decode).toList()));
        }
        return entries;
    }

    /**
     * Every entry as a {@link LinkedHashMap} (a snapshot). Only meaningful for key types with
     * value equality (not {@code byte[]}).
     */
    public Map<K, V> toMap() {
        Map<K, V> result = new LinkedHashMap<>();
        for (Map.Entry<K, V> e : entries()) {
            result.put(e.getKey(), e.getValue());
        }
        return result;
    }

    @Override
    public String toString() {
        return "TypedMap[" + map + ", " + Objects.toString(keyCodec) + " -> " + valueCodec + "]";
    }
}
