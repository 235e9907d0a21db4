package dev.jbpf.map;

import static dev.jbpf.map.MapBatches.meansUnsupported;
import static dev.jbpf.map.MapBatches.processedBeforeError;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_map_batch_opts;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Owner;
import dev.jbpf.map.MapBatches.Support;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * The batch operations of a keyed {@link BpfMap}, made by {@link BpfMap#batch()}: many entries
 * per {@code bpf(2)} call ({@code bpf_map_lookup_batch}, {@code bpf_map_lookup_and_delete_batch},
 * {@code bpf_map_update_batch}, {@code bpf_map_delete_batch}). Where the kernel has no batch
 * operation for the map (EINVAL before 5.6, ENOTSUPP or EOPNOTSUPP for some map types, learnt on
 * the first call and remembered by the map, not the view) they go key by key with the same
 * results.
 *
 * <p><b>Ownership.</b> The view owns nothing: no fd (the map owns it, or the map's object) and
 * no native memory (every buffer lives in a confined arena of one call; {@link #forEach}'s
 * buffers, of that walk). It lives as long as its map: once the map or its object is closed,
 * every method throws {@link IllegalStateException}. Thread-safe as the map is; a {@link
 * BatchCursor} is not.
 */
public final class BatchOperations {
    /** Upper bound of the keys plus values copied into native memory for one update or delete call. */
    private static final int MAX_CALL_BYTES = 1 << 20;
    private final BpfMap map;

    /** For {@link BpfMap#batch()}: the map must have keys. */
    BatchOperations(BpfMap map) {
        map.checkOpen();
        if (map.keySize == 0) {
            throw new IllegalArgumentException("batch " + map.name + ": a " + map.type.displayName()
                    + " map has no keys");
        }
        this.map = map;
    }

    /** The map these operations act on. */
    public BpfMap map() {
        return map;
    }

    /**
     * The next entries of a walk of the map ({@code bpf_map_lookup_batch}): at most maxEntries,
     * an empty list once {@link BatchCursor#isDone()}. Hash maps return whole buckets: fewer
     * entries when the next bucket would not fit, more only when one bucket alone holds more
     * than maxEntries. On maps whose kernel has no batch lookup (EINVAL
     * or ENOTSUPP on the first call, remembered for this map) the walk goes key by key with
     * the same results.
     *
     * <pre>{@code
     * BatchCursor cursor = new BatchCursor();
     * while (!cursor.isDone()) {
     *     for (MapEntry e : map.batch().lookup(cursor, 1000)) { ... }
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException when maxEntries is not positive, or the cursor belongs to
     *     another map or operation
     */
    public List<MapEntry> lookup(BatchCursor cursor, int maxEntries) {
        map.checkOpen();
        return MapBatches.lookup(map, cursor, maxEntries, false);
    }

    /**
     * {@link #lookup} that also deletes what it returns ({@code
     * bpf_map_lookup_and_delete_batch}); the fallback looks up and deletes key by key. Maps that
     * cannot delete (arrays) fail with {@link BpfException}.
     */
    public List<MapEntry> lookupAndDelete(BatchCursor cursor, int maxEntries) {
        map.checkOpen();
        return MapBatches.lookup(map, cursor, maxEntries, true);
    }

    /**
     * Stores values.get(i) under keys.get(i) for every i ({@code bpf_map_update_batch}, in calls
     * of up to 1 MiB of keys and values; key by key where the kernel has no batch update, or
     * does not take flag in batches). Every size is checked before anything is written; values
     * are {@link BpfMap#valueBufferSize()} bytes (every CPU's value for per-CPU maps).
     *
     * @throws IllegalArgumentException when the lists differ in length or a key or value has
     *     the wrong size
     * @throws BpfException at the first entry that fails, naming its index (the entries before it
     *     are stored)
     */
    public void update(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        map.checkOpen();
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(flag, "flag");
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("map " + map.name + ": " + keys.size() + " keys but " + values.size()
                    + " values");
        }
        for (int i = 0; i < keys.size(); i++) {
            MapElements.checkKey(map, keys.get(i));
            MapElements.checkValue(map, values.get(i));
        }
        store(keys, values, flag);
    }

    /** {@link #update(List, List, UpdateFlag)} with {@link UpdateFlag#ANY}. */
    public void update(List<byte[]> keys, List<byte[]> values) {
        update(keys, values, UpdateFlag.ANY);
    }

    /**
     * Stores {@code count} entries laid out back to back in native memory, as C's {@code
     * bpf_map_update_batch} takes them: entry i's key at {@code i * keySize()} of {@code keys},
     * its value at {@code i * valueBufferSize()} of {@code values}. Nothing is copied on the Java
     * side: the kernel reads the caller's memory during the call (one call for all the entries;
     * key by key where the kernel has no batch update). The memory stays the caller's.
     *
     * @throws IllegalArgumentException when count is negative, a segment is shorter than count
     *     entries, or a segment is not native memory
     * @throws BpfException at the first entry that fails, naming its index (the entries before it
     *     are stored)
     */
    public void update(MemorySegment keys, MemorySegment values, int count, UpdateFlag flag) {
        map.checkOpen();
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(flag, "flag");
        int keySize = map.keySize();
        int valueSize = map.valueBufferSize();
        if (count < 0) {
            throw new IllegalArgumentException("map " + map.name + ": count " + count + " is negative");
        }
        if (keys.byteSize() < (long) keySize * count || values.byteSize() < (long) valueSize * count) {
            throw new IllegalArgumentException("map " + map.name + ": " + count + " entries need " + (long) keySize * count
                    + " bytes of keys and " + (long) valueSize * count + " of values (" + keySize + " and " + valueSize
                    + " each), got " + keys.byteSize() + " and " + values.byteSize());
        }
        if (!keys.isNative() || !values.isNative()) {
            throw new IllegalArgumentException("map " + map.name + ": keys and values must be native memory"
                    + " (Arena.allocate), not a heap segment; or use update(List<byte[]>, List<byte[]>)");
        }
        store(count, Integer.MAX_VALUE, new Entries() {
            @Override
            public MemorySegment keys(int from, int m) {
                return keys.asSlice((long) from * keySize, (long) m * keySize);
            }

            @Override
            public MemorySegment values(int from, int m) {
                return values.asSlice((long) from * valueSize, Math.max(1L, (long) m * valueSize));
            }

            @Override
            public byte[] key(int i) {
                return keys.asSlice((long) i * keySize, keySize).toArray(ValueLayout.JAVA_BYTE);
            }

            @Override
            public byte[] value(int i) {
                return values.asSlice((long) i * valueSize, valueSize).toArray(ValueLayout.JAVA_BYTE);
            }
        }, flag);
    }

    /**
     * Deletes every key of keys that is in the map ({@code bpf_map_delete_batch}; key by key
     * where the kernel has none); keys that are not there are skipped. Returns how many were
     * deleted. Array maps cannot delete ({@link BpfException}, EINVAL).
     *
     * @throws IllegalArgumentException when a key has the wrong size (checked before anything
     *     is deleted)
     */
    public int delete(List<byte[]> keys) {
        map.checkOpen();
        Objects.requireNonNull(keys, "keys");
        keys.forEach(key -> MapElements.checkKey(map, key));
        return remove(keys);
    }

    /**
     * Walks every entry, 4096 per kernel call ({@code bpf_map_lookup_batch},
     * or key by key on maps without it), handing each chunk to visitor straight from native
     * buffers reused for the whole walk: nothing is allocated per entry. Returns the number of
     * entries visited. An exception thrown by the visitor stops the walk and propagates.
     */
    public long forEach(BatchVisitor visitor) {
        map.checkOpen();
        return MapBatches.forEach(map, visitor, false);
    }

    /** {@link #forEach} forced key by key (for tests and measurements). */
    long forEachOneByOne(BatchVisitor visitor) {
        map.checkOpen();
        return MapBatches.forEach(map, visitor, true);
    }

    /** True when the kernel was found to lack batch lookups for this map (learnt on first use). */
    boolean lookupUnsupported() {
        return map.batchState.lookup == Support.UNSUPPORTED;
    }

    // ---- updates and deletes: kernel batches, key by key where the kernel has none -------------

    private static int entriesPerCall(int bytesPerEntry, int total) {
        return Math.max(1, Math.min(total, MAX_CALL_BYTES / Math.max(1, bytesPerEntry)));
    }

    /** The entries of one update: where each call's keys and values are, and each entry alone for the key-by-key path. */
    private interface Entries {
        /** Entries from..from+m-1's keys, back to back in native memory. */
        MemorySegment keys(int from, int m);

        /** Their values, back to back in native memory. */
        MemorySegment values(int from, int m);

        byte[] key(int i);

        byte[] value(int i);
    }

    /** update(List, List) after its checks: each call's entries copied into buffers of this update. */
    private void store(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        int total = keys.size();
        if (total == 0) {
            return;
        }
        int keySize = map.keySize();
        int valueSize = map.valueBufferSize();
        int perCall = entriesPerCall(keySize + valueSize, total);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate((long) keySize * perCall, 8);
            MemorySegment v = arena.allocate(Math.max(1L, (long) valueSize * perCall), 8);
            store(total, perCall, new Entries() {
                @Override
                public MemorySegment keys(int from, int m) {
                    for (int i = 0; i < m; i++) {
                        MemorySegment.copy(keys.get(from + i), 0, k, ValueLayout.JAVA_BYTE, (long) i * keySize, keySize);
                    }
                    return k;
                }

                @Override
                public MemorySegment values(int from, int m) {
                    for (int i = 0; i < m; i++) {
                        MemorySegment.copy(values.get(from + i), 0, v, ValueLayout.JAVA_BYTE, (long) i * valueSize,
                                valueSize);
                    }
                    return v;
                }

                @Override
                public byte[] key(int i) {
                    return keys.get(i);
                }

                @Override
                public byte[] value(int i) {
                    return values.get(i);
                }
            }, flag);
        }
    }

    /**
     * Stores total entries with {@code bpf_map_update_batch}, at most perCall per call, or key
     * by key where the kernel has no batch update (learnt on the first call, remembered by the map).
     */
    private void store(int total, int perCall, Entries entries, UpdateFlag flag) {
        if (total == 0) {
            return;
        }
        MapBatches.State state = map.batchState;
        int stored = 0;
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment opts = bpf_map_batch_opts.allocate(arena);
            bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.sizeof());
            bpf_map_batch_opts.elem_flags(opts, flag.value());
            int fd = map.fd();
            while (stored < total && state.update(flag) != Support.UNSUPPORTED) {
                int m = Math.min(perCall, total - stored);
                MemorySegment k = entries.keys(stored, m);
                MemorySegment v = entries.values(stored, m);
                count.set(ValueLayout.JAVA_INT, 0, m);
                int ret = LibBpf.bpf_map_update_batch(fd, k, v, count, opts);
                if (ret == 0) {
                    state.update(flag, Support.SUPPORTED);
                    stored += m;
                    continue;
                }
                int errno = MapNative.errno(ret);
                int done = processedBeforeError(count.get(ValueLayout.JAVA_INT, 0), m);
                if (stored == 0 && done == 0 && state.update(flag) == Support.UNKNOWN && meansUnsupported(errno)) {
                    // EINVAL may also be the entry's own fault: decide once key by key succeeded
                    if (errno != Errno.EINVAL) {
                        state.update(flag, Support.UNSUPPORTED);
                    }
                    break;
                }
                throw MapFdInfo.failure(map, "update batch", errno, "entry " + (stored + done) + " of " + total
                        + " (the " + (stored + done) + " before it were stored)");
            }
        }
        if (stored < total) {
            for (int i = stored; i < total; i++) {
                try {
                    map.update(entries.key(i), entries.value(i), flag);
                } catch (BpfException e) {
                    throw BpfException.of("update batch", map.name(), e.errno(), "entry " + i + " of " + total
                            + " (the " + i + " before it were stored)", e);
                }
            }
            state.update(flag, Support.UNSUPPORTED);
        }
    }

    /** delete() after its checks: missing keys are skipped; returns how many were deleted. */
    private int remove(List<byte[]> keys) {
        int total = keys.size();
        if (total == 0) {
            return 0;
        }
        int keySize = map.keySize();
        int perCall = entriesPerCall(keySize, total);
        MapBatches.State state = map.batchState;
        int next = 0;
        int deleted = 0;
        boolean progressed = false;
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate((long) keySize * perCall, 8);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment opts = bpf_map_batch_opts.allocate(arena);
            bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.sizeof());
            int fd = map.fd();
            while (next < total && state.delete != Support.UNSUPPORTED) {
                int m = Math.min(perCall, total - next);
                for (int i = 0; i < m; i++) {
                    MemorySegment.copy(keys.get(next + i), 0, k, ValueLayout.JAVA_BYTE, (long) i * keySize, keySize);
                }
                count.set(ValueLayout.JAVA_INT, 0, m);
                int ret = LibBpf.bpf_map_delete_batch(fd, k, count, opts);
                int done = ret == 0 ? m : processedBeforeError(count.get(ValueLayout.JAVA_INT, 0), m);
                if (ret == 0) {
                    state.delete = Support.SUPPORTED;
                    deleted += m;
                    next += m;
                    progressed = true;
                    continue;
                }
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    // the kernel stops at a missing key: count the ones before it, skip it
                    state.delete = Support.SUPPORTED;
                    deleted += done;
                    next += done + 1;
                    progressed = true;
                    continue;
                }
                if (!progressed && done == 0 && state.delete == Support.UNKNOWN && meansUnsupported(errno)) {
                    if (errno != Errno.EINVAL) {
                        state.delete = Support.UNSUPPORTED;
                    }
                    break;
                }
                throw MapFdInfo.failure(map, "delete batch", errno, "key " + (next + done) + " of " + total + " ("
                        + (deleted + done) + " deleted before it)");
            }
        }
        if (next < total) {
            for (int i = next; i < total; i++) {
                try {
                    if (map.delete(keys.get(i))) {
                        deleted++;
                    }
                } catch (BpfException e) {
                    throw BpfException.of("delete batch", map.name(), e.errno(), "key " + i + " of " + total + " ("
                            + deleted + " deleted before it)", e);
                }
            }
            state.delete = Support.UNSUPPORTED;
        }
        return deleted;
    }

    @Override
    public String toString() {
        return "BatchOperations[" + map + "]";
    }
}
