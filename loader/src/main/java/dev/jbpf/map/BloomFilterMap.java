package dev.jbpf.map;

/**
 * A {@link MapType#BLOOM_FILTER} map, made by {@link BpfMap#asBloomFilter()}: a set of values
 * that answers "certainly not" or "probably" ({@code bpf_map_update_elem} and {@code
 * bpf_map_lookup_elem} without key). Bloom filters have false positives, never false negatives;
 * nothing can be removed. The number of hash functions is the map's {@code map_extra} ({@link
 * MapOptions#withMapExtra}).
 *
 * <p><b>Ownership.</b> The view owns nothing: no fd (the map owns it, or the map's object) and
 * no native memory (every buffer lives in a confined arena of one call). It lives as long as its
 * map: once the map or its object is closed, every method throws {@link IllegalStateException}.
 * Safe to use from several threads.
 */
public final class BloomFilterMap {
    private final BpfMap map;

    /** For {@link BpfMap#asBloomFilter()}: the map must be of the right type. */
    BloomFilterMap(BpfMap map) {
        MapElements.requireView(map, "asBloomFilter", MapType.BLOOM_FILTER);
        this.map = map;
    }

    /** The map this view acts on. */
    public BpfMap map() {
        return map;
    }

    /**
     * Adds value ({@code bpf_map_update_elem} without key).
     *
     * @throws IllegalArgumentException when value is not {@link BpfMap#valueSize()} bytes
     */
    public void push(byte[] value) {
        map.checkOpen();
        MapElements.checkPlainValue(map, value);
        MapElements.push(map, value, UpdateFlag.ANY);
    }

    /**
     * Whether value may have been pushed: false means certainly not, true means probably.
     *
     * @throws IllegalArgumentException when value is not {@link BpfMap#valueSize()} bytes
     */
    public boolean mightContain(byte[] value) {
        map.checkOpen();
        MapElements.checkPlainValue(map, value);
        return MapElements.contains(map, value);
    }

    @Override
    public String toString() {
        return "BloomFilterMap[" + map + "]";
    }
}
