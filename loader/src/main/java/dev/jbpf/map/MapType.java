package dev.jbpf.map;

/**
 * The kernel's map types, {@code enum bpf_map_type} ({@code BPF_MAP_TYPE_*} in
 * {@code linux/bpf.h}), with their numeric values. A value this enum does not know (a newer
 * kernel) is {@link #UNKNOWN}. Owns no native memory.
 */
public enum MapType {
    UNSPEC(0), HASH(1), ARRAY(2), PROG_ARRAY(3), PERF_EVENT_ARRAY(4), PERCPU_HASH(5), PERCPU_ARRAY(6),
    STACK_TRACE(7), CGROUP_ARRAY(8), LRU_HASH(9), LRU_PERCPU_HASH(10), LPM_TRIE(11), ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13), DEVMAP(14), SOCKMAP(15), CPUMAP(16), XSKMAP(17), SOCKHASH(18), CGROUP_STORAGE(19),
    REUSEPORT_SOCKARRAY(20), PERCPU_CGROUP_STORAGE(21), QUEUE(22), STACK(23), SK_STORAGE(24),
    DEVMAP_HASH(25), STRUCT_OPS(26), RINGBUF(27), INODE_STORAGE(28), TASK_STORAGE(29), BLOOM_FILTER(30),
    USER_RINGBUF(31), CGRP_STORAGE(32), ARENA(33),
    /** A type this version of jbpf does not know (a newer kernel). */
    UNKNOWN(-1);

    private static final MapType[] BY_VALUE;

    static {
        int max = 0;
        for (MapType t : values()) {
            max = Math.max(max, t.value);
        }
        BY_VALUE = new MapType[max + 1];
        for (MapType t : values()) {
            if (t.value >= 0) {
                BY_VALUE[t.value] = t;
            }
        }
    }

    private final int value;

    MapType(int value) {
        this.value = value;
    }

    /** The kernel's number ({@code BPF_MAP_TYPE_*}); -1 for {@link #UNKNOWN}. */
    public int value() {
        return value;
    }

    /** The type with the kernel's number {@code value}, or {@link #UNKNOWN}. */
    public static MapType of(int value) {
        return value >= 0 && value < BY_VALUE.length && BY_VALUE[value] != null ? BY_VALUE[value] : UNKNOWN;
    }

    /** True for the maps that keep one value per possible CPU (lookups return all of them). */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** The lower-case name bpftool uses ("percpu_array", "ringbuf"). */
    public String displayName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
