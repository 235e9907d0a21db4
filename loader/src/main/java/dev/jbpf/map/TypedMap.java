package dev.jbpf.map;

import java.util.AbstractMap;
import java.util.ArrayList;
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

    TypedMap(BpfMap map, Codec<K> keyCodec, Codec<V> valueCodec) {
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
                    + ": a per-CPU map has one value per CPU; use " + operation + "PerCpu");
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
