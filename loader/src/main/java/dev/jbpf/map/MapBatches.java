package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_map_batch_opts;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Batched walks of a map for {@link BatchOperations} (lookup, lookupAndDelete, forEach) and for
 * {@link BpfMap#keys()}/{@link BpfMap#entries()} ({@code bpf_map_lookup_batch}, {@code
 * bpf_map_lookup_and_delete_batch}) with their key-by-key fallbacks, and what every map learns
 * about its kernel's batch support ({@link State}; batch updates and deletes are in
 * BatchOperations). Which operations a map's kernel supports is learnt from the first call:
 * EINVAL (a kernel before 5.6), ENOTSUPP or EOPNOTSUPP (a map type without the operation) make
 * jbpf remember, per map and operation, to go key by key. Owns nothing: every native buffer lives
 * in a confined arena of one public call.
 */
final class MapBatches {
    /** Entries per kernel call when walking a whole map. */
    static final int CHUNK = 4096;
    /** kernelStep's answer when the kernel has no such batch operation for this map. */
    private static final int UNSUPPORTED_NOW = -1;

    private MapBatches() {
    }

    /** Support of one batch operation by one map, learnt on first use. */
    enum Support { UNKNOWN, SUPPORTED, UNSUPPORTED }

    /** What one map's kernel supports; one per BpfMap (not per view: views come and go). */
    static final class State {
        volatile Support lookup = Support.UNKNOWN;
        volatile Support lookupAndDelete = Support.UNKNOWN;
        /** Per update flag (elem_flags): kernels accept only some flags in batches. */
        final Support[] update = {Support.UNKNOWN, Support.UNKNOWN, Support.UNKNOWN};
        volatile Support delete = Support.UNKNOWN;

        Support lookup(boolean deleting) {
            return deleting ? lookupAndDelete : lookup;
        }

        void lookup(boolean deleting, Support support) {
            if (deleting) {
                lookupAndDelete = support;
            } else {
                lookup = support;
            }
        }

        synchronized Support update(UpdateFlag flag) {
            return update[flag.ordinal()];
        }

        synchronized void update(UpdateFlag flag, Support support) {
            update[flag.ordinal()] = support;
        }
    }

    /**
     * The entries a failed batch call processed, from the count it left: a call that fails
     * before the first entry (bad flags, no such operation) leaves the count it was given.
     */
    static int processedBeforeError(int count, int given) {
        return count < 0 || count >= given ? 0 : count;
    }

    static boolean meansUnsupported(int errno) {
        return errno == Errno.EINVAL || errno == Errno.ENOTSUPP || errno == Errno.EOPNOTSUPP;
    }

    // ---- native buffers ---------------------------------------------------------------------

    /** Native buffers of lookups: batch tokens, count, options, and room for capacity entries. */
    static final class Buffers {
        private final Arena arena;
        final int keySize;
        final int valueSize;
        final MemorySegment in;
        final MemorySegment out;
        final MemorySegment count;
        final MemorySegment opts;
        MemorySegment keys;
        MemorySegment values;
        int capacity;

        Buffers(Arena arena, BpfMap map, int capacity) {
            this.arena = arena;
            this.keySize = map.keySize();
            this.valueSize = map.valueBufferSize();
            // hash maps use a 4-byte bucket number as token, the others a key
            int tokenSize = Math.max(8, MapNative.roundUp8(keySize));
            this.in = arena.allocate(tokenSize, 8);
            this.out = arena.allocate(tokenSize, 8);
            this.count = arena.allocate(ValueLayout.JAVA_INT);
            this.opts = bpf_map_batch_opts.allocate(arena);
            bpf_map_batch_opts.sz(opts, bpf_map_batch_opts.sizeof());
            allocate(capacity);
        }

        private void allocate(int capacity) {
            this.capacity = capacity;
            this.keys = arena.allocate((long) keySize * capacity, 8);
            this.values = arena.allocate(Math.max(1L, (long) valueSize * capacity), 8);
        }

        /** Doubles the room (a hash bucket holds more entries than fit); the old buffers stay until the arena closes. */
        void grow() {
            allocate(capacity * 2);
        }

        MemorySegment key(int i) {
            return keys.asSlice((long) i * keySize, keySize);
        }

        MemorySegment value(int i) {
            return values.asSlice((long) i * valueSize, valueSize);
        }

        /** The first n entries copied into Java arrays. */
        List<MapEntry> entries(BpfMap map, int n) {
            List<MapEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] value = value(i).toArray(ValueLayout.JAVA_BYTE);
                entries.add(new MapEntry(key(i).toArray(ValueLayout.JAVA_BYTE), value,
                        map.isPerCpu() ? MapElements.splitPerCpu(map, value) : null));
            }
            return entries;
        }
    }

    // ---- lookups ------------------------------------------------------------------------------

    /**
     * One kernel batch lookup (and delete) continuing cursor into b: the number of entries it
     * wrote, or UNSUPPORTED_NOW when the kernel has no such operation for this map (learnt
     * only on a first call). ENOENT = the end of the map (the entries of that call still
     * count); ENOSPC with nothing returned = one hash bucket holds more than fits: grow, retry.
     */
    private static int kernelStep(BpfMap map, BatchCursor c, Buffers b) {
        try (Owner.Use use = map.use()) {
            return kernelStep(map, c, b, map.fd());
        }
    }

    private static int kernelStep(BpfMap map, BatchCursor c, Buffers b, int fd) {
        boolean started = c.token != null;
        if (started) {
            MemorySegment.copy(c.token, 0, b.in, ValueLayout.JAVA_BYTE, 0, c.token.length);
        }
        MemorySegment in = started ? b.in : MemorySegment.NULL;
        while (true) {
            b.count.set(ValueLayout.JAVA_INT, 0, b.capacity);
            int ret = c.deleting
                    ? LibBpf.bpf_map_lookup_and_delete_batch(fd, in, b.out, b.keys, b.values, b.count, b.opts)
                    : LibBpf.bpf_map_lookup_batch(fd, in, b.out, b.keys, b.values, b.count, b.opts);
            int n = b.count.get(ValueLayout.JAVA_INT, 0);
            if (ret == 0) {
                map.batchState.lookup(c.deleting, Support.SUPPORTED);
                c.token = b.out.toArray(ValueLayout.JAVA_BYTE);
                return n;
            }
            int errno = MapNative.errno(ret);
            if (errno == Errno.ENOENT) {
                map.batchState.lookup(c.deleting, Support.SUPPORTED);
                c.done = true;
                return n;
            }
            n = processedBeforeError(n, b.capacity);
            if (errno == Errno.ENOSPC && n == 0 && b.capacity < Math.max(map.maxEntries(), 1)) {
                b.grow();
                continue;
            }
            if (!started && map.batchState.lookup(c.deleting) == Support.UNKNOWN && meansUnsupported(errno)) {
                map.batchState.lookup(c.deleting, Support.UNSUPPORTED);
                return UNSUPPORTED_NOW;
            }
            throw MapFdInfo.failure(map, c.deleting ? "lookup and delete batch" : "lookup batch", errno,
                    n > 0 ? n + " entries were " + (c.deleting ? "deleted" : "read") + " before the error" : null);
        }
    }

    /**
     * Up to max entries key by key ({@code bpf_map_get_next_key}, {@code bpf_map_lookup_elem},
     * for deleting walks {@code bpf_map_delete_elem} from the first key each time). Entries
     * deleted meanwhile are skipped. A walk stops after 4 × maxEntries + 1024 steps: the kernel
     * restarts from the first key when the current one was deleted, which could go on forever.
     */
    private static int perKeyStep(BpfMap map, BatchCursor c, Buffers b, int max) {
        try (Owner.Use use = map.use()) {
            return perKeyStep(map, c, b, max, map.fd());
        }
    }

    private static int perKeyStep(BpfMap map, BatchCursor c, Buffers b, int max, int fd) {
        long limit = 4L * Math.max(map.maxEntries(), 0) + 1024;
        MemorySegment last = b.in.asSlice(0, b.keySize);
        boolean started = !c.deleting && c.token != null;
        if (started) {
            MemorySegment.copy(c.token, 0, last, ValueLayout.JAVA_BYTE, 0, b.keySize);
        }
        int n = 0;
        while (n < max) {
            if (c.produced++ >= limit) {
                c.done = true;
                break;
            }
            MemorySegment key = b.key(n);
            int ret = LibBpf.bpf_map_get_next_key(fd, started ? last : MemorySegment.NULL, key);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    c.done = true;
                    break;
                }
                throw MapFdInfo.failure(map, "iterate", errno, null);
            }
            if (!c.deleting) {
                last.copyFrom(key);
                started = true;
            }
            ret = LibBpf.bpf_map_lookup_elem(fd, key, b.value(n));
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    continue; // deleted since get_next_key returned it
                }
                throw MapFdInfo.failure(map, "lookup", errno, null);
            }
            if (c.deleting) {
                ret = LibBpf.bpf_map_delete_elem(fd, key);
                if (ret < 0) {
                    int errno = MapNative.errno(ret);
                    if (errno == Errno.ENOENT) {
                        continue; // someone else deleted it first
                    }
                    throw MapFdInfo.failure(map, "delete", errno, n > 0 ? n + " entries were deleted before the error" : null);
                }
            }
            n++;
        }
        if (started) {
            c.token = last.toArray(ValueLayout.JAVA_BYTE);
        }
        return n;
    }

    /**
     * The next entries of cursor's walk into b: a kernel batch when the map supports it, else
     * key by key (when allowPerKey; otherwise UNSUPPORTED_NOW).
     */
    private static int next(BpfMap map, BatchCursor c, Buffers b, boolean allowPerKey) {
        if (!c.perKey && map.batchState.lookup(c.deleting) != Support.UNSUPPORTED) {
            int n = kernelStep(map, c, b);
            if (n != UNSUPPORTED_NOW) {
                return n;
            }
        }
        if (!allowPerKey) {
            return UNSUPPORTED_NOW;
        }
        c.perKey = true;
        return perKeyStep(map, c, b, b.capacity);
    }

    /** Entries to make room for: wanted, but no more than the map can hold. */
    private static int room(BpfMap map, int wanted) {
        int capacity = map.maxEntries();
        return capacity > 0 ? Math.min(wanted, capacity) : wanted;
    }

    /** BatchOperations.lookup / lookupAndDelete: cursor and maxEntries not yet checked. */
    static List<MapEntry> lookup(BpfMap map, BatchCursor cursor, int maxEntries, boolean deleting) {
        Objects.requireNonNull(cursor, "cursor");
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        cursor.bind(map, deleting);
        if (cursor.done) {
            return List.of();
        }
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = new Buffers(arena, map, room(map, maxEntries));
            int n = next(map, cursor, b, true);
            return b.entries(map, n);
        }
    }

    /**
     * Walks the whole map in chunks of {@link #CHUNK}, handing each to visitor; perKey forces
     * the key-by-key walk. Returns the number of entries visited.
     */
    static long forEach(BpfMap map, BatchVisitor visitor, boolean perKey) {
        Objects.requireNonNull(visitor, "visitor");
        BatchCursor c = new BatchCursor();
        c.bind(map, false);
        c.perKey = perKey;
        long total = 0;
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = new Buffers(arena, map, room(map, CHUNK));
            while (!c.done) {
                int n = next(map, c, b, true);
                if (n > 0) {
                    visitor.visit(b.keys.asSlice(0, (long) n * b.keySize).asReadOnly(),
                            b.values.asSlice(0, (long) n * b.valueSize).asReadOnly(), n);
                    total += n;
                }
            }
        }
        return total;
    }

    /**
     * The next chunk of a kernel-batch walk as Java entries, or null when the map has no
     * batch lookup (the caller then walks key by key its own way).
     */
    static List<MapEntry> nextKernelChunk(BpfMap map, BatchCursor c) {
        try (Arena arena = Arena.ofConfined()) {
            Buffers b = new Buffers(arena, map, room(map, CHUNK));
            int n = next(map, c, b, false);
            return n == UNSUPPORTED_NOW ? null : b.entries(map, n);
        }
    }
}
