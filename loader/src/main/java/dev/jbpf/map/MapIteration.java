package dev.jbpf.map;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * The bodies of {@link BpfMap#keys()} and {@link BpfMap#entries()}: kernel batches of {@link
 * MapBatches#CHUNK} when the map has batch lookups, else {@code bpf_map_get_next_key} key by key.
 * Owns nothing: every native buffer lives in a confined arena of one kernel call or walk.
 */
final class MapIteration {
    private MapIteration() {
    }

    static List<byte[]> keys(BpfMap map) {
        map.checkOpen();
        MapElements.requireKeys(map, "iterate");
        if (map.batchState.lookup != MapBatches.Support.UNSUPPORTED) {
            BatchCursor cursor = new BatchCursor();
            cursor.bind(map, false);
            List<byte[]> keys = new ArrayList<>();
            while (!cursor.isDone()) {
                List<MapEntry> chunk = MapBatches.nextKernelChunk(map, cursor);
                if (chunk == null) {
                    return keysOneByOne(map);
                }
                chunk.forEach(entry -> keys.add(entry.key()));
            }
            return keys;
        }
        return keysOneByOne(map);
    }

    /** keys() through bpf_map_get_next_key, for maps without batch lookups. */
    private static List<byte[]> keysOneByOne(BpfMap map) {
        List<byte[]> keys = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        long limit = map.maxEntries > 0 ? 4L * map.maxEntries + 1024 : Long.MAX_VALUE;
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(map.keySize, 8);
            MemorySegment next = arena.allocate(map.keySize, 8);
            int fd = map.fd();
            boolean first = true;
            while (keys.size() < limit) {
                int ret = LibBpf.bpf_map_get_next_key(fd, first ? MemorySegment.NULL : current, next);
                if (ret < 0) {
                    int errno = MapNative.errno(ret);
                    if (errno == Errno.ENOENT) {
                        break;
                    }
                    throw MapFdInfo.failure(map, "iterate", errno, null);
                }
                byte[] key = next.toArray(ValueLayout.JAVA_BYTE);
                if (!seen.add(ByteBuffer.wrap(key))) {
                    break;
                }
                keys.add(key);
                current.copyFrom(next);
                first = false;
            }
        }
        return keys;
    }

    static Iterable<MapEntry> entries(BpfMap map) {
        map.checkOpen();
        MapElements.requireKeys(map, "iterate");
        return () -> walk(map);
    }

    /** One walk of entries(): kernel batches, falling back to key by key when the map has none. */
    private static Iterator<MapEntry> walk(BpfMap map) {
        return map.batchState.lookup == MapBatches.Support.UNSUPPORTED ? entriesOneByOne(map) : new Iterator<>() {
            private final BatchCursor cursor = new BatchCursor();
            private Iterator<MapEntry> chunk = Collections.emptyIterator();
            private Iterator<MapEntry> fallback;

            {
                cursor.bind(map, false);
            }

            @Override
            public boolean hasNext() {
                if (fallback != null) {
                    return fallback.hasNext();
                }
                while (!chunk.hasNext() && !cursor.isDone()) {
                    List<MapEntry> next = MapBatches.nextKernelChunk(map, cursor);
                    if (next == null) {
                        fallback = entriesOneByOne(map);
                        return fallback.hasNext();
                    }
                    chunk = next.iterator();
                }
                return chunk.hasNext();
            }

            @Override
            public MapEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return fallback != null ? fallback.next() : chunk.next();
            }
        };
    }

    /** entries() key by key, for maps without batch lookups. */
    private static Iterator<MapEntry> entriesOneByOne(BpfMap map) {
        return new Iterator<>() {
            private final Iterator<byte[]> keys = keysOneByOne(map).iterator();
            private MapEntry next;

            @Override
            public boolean hasNext() {
                while (next == null && keys.hasNext()) {
                    byte[] key = keys.next();
                    Optional<byte[]> value = map.lookup(key);
                    if (value.isPresent()) {
                        byte[] raw = value.get();
                        next = new MapEntry(key, raw, map.type.isPerCpu() ? MapElements.splitPerCpu(map, raw) : null);
                    }
                }
                return next != null;
            }

            @Override
            public MapEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                MapEntry entry = next;
                next = null;
                return entry;
            }
        };
    }
}
