package dev.jbpf.map;

/**
 * Optional settings for {@link BpfMap#create(MapType, String, int, int, int, MapOptions)}, the
 * fields of {@code struct bpf_map_create_opts} jbpf sets. Immutable; start from {@link
 * #DEFAULT} and change one field at a time: {@code MapOptions.DEFAULT.withFlags(BPF_F_NO_PREALLOC)}.
 * Owns no native memory and no fd: {@link #innerMap()} stays owned by its caller, and must be
 * open when the map is created (the kernel only copies its shape).
 *
 * @param flags the {@code BPF_F_*} map flags ({@code map_flags}), e.g.
 *     {@code BpfConstants.BPF_F_NO_PREALLOC}, {@code BPF_F_RDONLY}, {@code BPF_F_INNER_MAP}
 * @param innerMap for {@link MapType#ARRAY_OF_MAPS} and {@link MapType#HASH_OF_MAPS} (required
 *     there, refused elsewhere): the template whose type, key and value sizes, capacity and
 *     flags every inner map must have ({@code inner_map_fd}); null for other maps
 * @param mapExtra {@code map_extra}: for {@link MapType#BLOOM_FILTER} the number of hash
 *     functions (1..15, 0 = the kernel's default of 5); 0 otherwise
 */
public record MapOptions(int flags, BpfMap innerMap, long mapExtra) {
    /** No flags, no inner map, no map_extra. */
    public static final MapOptions DEFAULT = new MapOptions(0, null, 0);

    /** These options with the map flags replaced. */
    public MapOptions withFlags(int flags) {
        return new MapOptions(flags, innerMap, mapExtra);
    }

    /** These options with the inner map template of a map-of-maps. */
    public MapOptions withInnerMap(BpfMap innerMap) {
        return new MapOptions(flags, java.util.Objects.requireNonNull(innerMap, "innerMap"), mapExtra);
    }

    /** These options with {@code map_extra} replaced (bloom filters: number of hash functions). */
    public MapOptions withMapExtra(long mapExtra) {
        return new MapOptions(flags, innerMap, mapExtra);
    }
}
